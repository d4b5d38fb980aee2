// A page of the review (one dimension, or the general part): saves that page's part of the draft a moment after each change (autosave JSON endpoint, with the
// review's version for optimistic locking), and saves pending changes before the page's other
// forms (nominations, ratings) leave the page. Without JavaScript the "Save draft" button works.
// Its words come translated from the server (data-messages on the form: key → text with
// %(name)s placeholders, plural ones as [one, other]).
(function () {
  "use strict";
  var form = document.getElementById("review-form");
  if (!form) return;
  var MESSAGES = {};
  try { MESSAGES = JSON.parse(form.dataset.messages || "{}"); } catch (e) { MESSAGES = {}; }

  function t(key, params, count) {
    var text = MESSAGES[key] || key;
    if (Array.isArray(text)) { text = text[count === 1 ? 0 : 1]; }
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return params && name in params ? String(params[name]) : whole;
    });
  }
  var url = form.dataset.autosaveUrl;
  var status = form.querySelector(".autosave-status");
  var DELAY = 1500;
  var timer = null;
  var saving = null;
  var dirty = false;
  var stopped = false;

  function say(text, kind) {
    status.textContent = text;
    status.classList.toggle("is-error", kind === "error");
  }

  function fields() {
    var data = {};
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrf_token" && name !== "version" && name !== "action") data[name] = value;
    });
    return data;
  }

  function save() {
    clearTimeout(timer);
    if (stopped || !dirty) return saving || Promise.resolve();
    if (saving) return saving.then(save);
    dirty = false;
    say(t("saving"));
    saving = fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": form.elements.csrf_token.value
      },
      body: JSON.stringify({ version: parseInt(form.elements.version.value, 10), page: form.dataset.page || null,
                             fields: fields() })
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      return (json ? response.json() : Promise.resolve({})).catch(function () { return {}; }).then(function (body) {
        if (response.ok && json && typeof body.version === "number") {
          form.elements.version.value = body.version;
          var time = new Date().toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
          say(t("saved", { time: time }) + " " + (body.missing ? t("missing", { num: body.missing }, body.missing)
                                                               : t("complete")));
        } else if (response.status === 409) {
          stopped = true;
          say(body.error || t("conflict"), "error");
        } else if (response.status === 401) {
          dirty = true;
          say(body.error || t("logged_out"), "error");
        } else {
          dirty = true;
          say(t("use_button", { problem: body.error || t("not_saved", { status: response.status }) }), "error");
        }
      });
    }).catch(function () {
      dirty = true;
      say(t("offline"), "error");
    }).then(function () { saving = null; });
    return saving;
  }

  function changed() {
    dirty = true;
    clearTimeout(timer);
    timer = setTimeout(save, DELAY);
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function () {
    clearTimeout(timer);
    stopped = true;  // the form post itself saves
  });

  // The page's other forms redirect back here: save pending changes first.
  Array.prototype.forEach.call(document.querySelectorAll("form.flush-autosave"), function (other) {
    other.addEventListener("submit", function (event) {
      if (!dirty && !saving) return;
      event.preventDefault();
      save().then(function () { other.submit(); });
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !stopped) {
      save();
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
