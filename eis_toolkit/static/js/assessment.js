/* Self-assessment pages: automatic saving, drafts kept in this browser, expired sessions.
 *
 * While the person types, every change is copied at once into localStorage (the draft) and sent
 * to the autosave endpoint a moment later (at most a few seconds of typing are ever only in the
 * page). The draft is dropped once the server has what it holds. When the session has ended the
 * endpoint answers 401: the draft stays, a "log in again" link opens the login in a new tab, and
 * saving is retried when the person comes back to this tab. A page that loads while a draft
 * differs from what the server shows puts the draft back (with the answer versions it started
 * from, so that someone else's newer answer is never silently overwritten: the server reports a
 * conflict instead). The explicit Save also writes the draft first, so a Save posted after the
 * session ended loses nothing either.
 */
(function () {
  "use strict";

  var QUIET_MS = 1500;   // save this long after the last keystroke ...
  var MAX_WAIT_MS = 5000; // ... but never later than this after the first unsaved one
  var RETRY_MS = 15000;  // while logged out or offline

  function byId(id) { return document.getElementById(id); }

  function time(date) {  // in the page's language, not the browser's
    return date.toLocaleTimeString(document.documentElement.lang || [], { hour: "2-digit", minute: "2-digit" });
  }

  /* The page's messages, translated by the server (data-messages on the form: key → text with
   * %(name)s placeholders; plural ones as [one, other]). */
  var MESSAGES = {};

  function t(key, params, count) {
    var text = MESSAGES[key] || key;
    if (Array.isArray(text)) { text = text[count === 1 ? 0 : 1]; }
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return params && name in params ? String(params[name]) : whole;
    });
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  // Field names that carry no typed input: never compared, restored from the draft only as bases.
  function isBookkeeping(name) {
    return name === "csrf_token" || /-(version|digest|conflict)$/.test(name);
  }

  /* A snapshot of the form: [name, value] pairs of every non-file field. */
  function snapshot(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (typeof value === "string" && name !== "csrf_token") { pairs.push([name, value]); }
    });
    return pairs;
  }

  function typedOnly(pairs) {
    return JSON.stringify(pairs.filter(function (p) { return !isBookkeeping(p[0]); }));
  }

  function restore(form, pairs) {
    var values = {};
    pairs.forEach(function (p) { (values[p[0]] = values[p[0]] || []).push(p[1]); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.type === "file" || el.type === "submit" || el.name === "csrf_token") { return; }
      var given = values[el.name] || [];
      if (el.type === "radio" || el.type === "checkbox") {
        el.checked = given.indexOf(el.value) !== -1;
      } else if (given.length || !isBookkeeping(el.name)) {
        el.value = given.length ? given[0] : "";
      }
    });
  }

  function setupForm(form) {
    try { MESSAGES = JSON.parse(form.dataset.messages || "{}"); } catch (e) { MESSAGES = {}; }
    var store = storage();
    var key = form.dataset.draftKey;
    var status = byId("save-status");
    var banner = byId("draft-banner");
    var bannerText = byId("draft-message");
    var loginLink = byId("draft-login");
    var discard = byId("draft-discard");
    var maxBytes = parseInt(form.dataset.maxBytes, 10) || 0;
    var timer = null, firstChange = null, inFlight = false, again = false, stopped = false;
    var changedSince = 0, retryTimer = null, loggedOut = false;

    function say(text, kind) {
      status.textContent = text;
      status.classList.toggle("is-error", kind === "error");
      status.classList.toggle("is-saved", kind === "saved");
    }

    var restoredAt = null; // when a draft from an earlier visit was put back, until it is saved

    function showBanner(text, withLogin, withDiscard) {
      bannerText.textContent = text;
      loginLink.hidden = !withLogin;
      discard.hidden = !withDiscard;
      banner.hidden = false;
    }

    function hideBanner() {
      if (restoredAt) {  // say what happened to the restored answers rather than vanish
        showBanner(t("restored_saved", { time: restoredAt }), false, false);
        restoredAt = null;
      } else {
        banner.hidden = true;
      }
    }

    function writeDraft(extra) {
      if (!store) { return; }
      var draft = { savedAt: new Date().toISOString(), pairs: snapshot(form) };
      if (extra) { Object.keys(extra).forEach(function (k) { draft[k] = extra[k]; }); }
      try { store.setItem(key, JSON.stringify(draft)); } catch (e) { /* full or disabled: autosave still runs */ }
    }

    function readDraft() {
      if (!store) { return null; }
      try { return JSON.parse(store.getItem(key) || "null"); } catch (e) { return null; }
    }

    function dropDraft() { if (store) { store.removeItem(key); } }

    function payload() {
      var data = new FormData(form);
      var files = [];
      data.forEach(function (value, name) { if (typeof value !== "string") { files.push(name); } });
      files.forEach(function (name) { data.delete(name); });
      return data;
    }

    function schedule() {
      if (stopped) { return; }
      var now = Date.now();
      if (firstChange === null) { firstChange = now; }
      clearTimeout(timer);
      timer = setTimeout(save, Math.max(0, Math.min(QUIET_MS, firstChange + MAX_WAIT_MS - now)));
    }

    function retryLater() {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(save, RETRY_MS);
    }

    function applySaved(answers) {
      Object.keys(answers || {}).forEach(function (question) {
        var version = form.elements[question + "-version"];
        var digest = form.elements[question + "-digest"];
        if (version) { version.value = answers[question].version; }
        if (digest) { digest.value = answers[question].digest; }
      });
    }

    function refreshToken() {
      return fetch(form.dataset.session, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { return false; }
          return response.json().then(function (body) {
            form.elements.csrf_token.value = body.csrf_token;
            return true;
          });
        });
    }

    function save(tokenRefreshed) {
      clearTimeout(timer);
      timer = null;
      if (stopped) { return; }
      if (inFlight) { again = true; return; }
      inFlight = true;
      var startedAt = changedSince;
      firstChange = null;
      say(t("saving"));
      fetch(form.dataset.autosave, {
        method: "POST", body: payload(), credentials: "same-origin",
        headers: { Accept: "application/json", "X-Requested-With": "fetch" }
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (body) {
          return { status: response.status, body: body };
        });
      }).then(function (result) {
        inFlight = false;
        var body = result.body;
        if (result.status === 200) {
          loggedOut = false;
          applySaved(body.answers);
          var problems = Object.keys(body.problems || {});
          if (changedSince === startedAt) { dropDraft(); } else { writeDraft(); }
          if (problems.length) {
            say(t("saved_except", { time: time(new Date()), num: problems.length,
                                    problems: problems.map(function (k) { return body.problems[k]; }).join("; ") },
                  problems.length), "error");
          } else {
            say(t("all_saved", { time: time(new Date()) }), "saved");
          }
          hideBanner();
        } else if (result.status === 401) {
          loggedOut = true;
          say(t("logged_out"), "error");
          showBanner(t("logged_out_banner"), true, false);
          retryLater();
        } else if (result.status === 400 && body.status === "csrf" && !tokenRefreshed) {
          refreshToken().then(function (ok) { if (ok) { save(true); } else { retryLater(); } },
                              retryLater);
          return;
        } else if (result.status === 409 && body.status === "conflict") {
          say(t("conflict"), "error");
          showBanner(t("conflict_banner", { num: (body.questions || []).length,
                                            questions: (body.questions || []).join("; ") },
                       (body.questions || []).length), false, false);
        } else if (result.status === 409 || result.status === 403) {
          stopped = true;
          say(t("not_saved"), "error");
          showBanner(body.message || t("no_longer"), false, false);
        } else {
          say(t("server_error", { status: result.status }), "error");
          retryLater();
        }
        if (again) { again = false; save(); }
      }).catch(function () {
        inFlight = false;
        say(t("offline"), "error");
        retryLater();
      });
    }

    function changed() {
      changedSince += 1;
      writeDraft();
      say(t("unsaved"));
      schedule();
    }

    form.addEventListener("input", function (event) {
      if (event.target.type !== "file") { changed(); }
    });
    form.addEventListener("change", function (event) {
      if (event.target.type === "file") {
        checkFiles(event.target);
      } else if (event.target.type === "radio" || event.target.type === "checkbox") {
        changed();
      }
    });

    function checkFiles(input) {
      var tooLarge = Array.prototype.filter.call(input.files || [], function (f) { return maxBytes && f.size > maxBytes; });
      input.setCustomValidity(tooLarge.length ? tooLarge.map(function (f) { return f.name; }).join(", ") +
        " is larger than " + (maxBytes / 1e6) + " MB." : "");
      if (tooLarge.length) { input.reportValidity(); }
      return !tooLarge.length;
    }

    form.addEventListener("submit", function (event) {
      var files = form.querySelectorAll("input[type=file]");
      for (var i = 0; i < files.length; i += 1) {
        if (!checkFiles(files[i])) { event.preventDefault(); return; }
      }
      clearTimeout(timer);
      stopped = true; // the page is leaving; its own save carries everything
      if (changedSince) { writeDraft({ submitted: true }); }
    });

    function comeBack() {
      if (loggedOut && document.visibilityState !== "hidden") { save(); }
    }
    window.addEventListener("focus", comeBack);
    document.addEventListener("visibilitychange", comeBack);

    window.addEventListener("pagehide", function () {
      if (timer !== null && !stopped && navigator.sendBeacon) {
        navigator.sendBeacon(form.dataset.autosave, payload());
      }
    });

    discard.addEventListener("click", function () {
      dropDraft();
      window.location.reload();
    });

    // A draft from an earlier visit: drop it if the server has it, else put it back and save it.
    var draft = readDraft();
    if (draft && draft.pairs) {
      if (typedOnly(draft.pairs) === typedOnly(snapshot(form))) {
        dropDraft();
      } else {
        restore(form, draft.pairs);
        changedSince = 1;
        restoredAt = time(new Date(draft.savedAt));
        say(t("restored"));
        showBanner(t("restored_saving", { time: restoredAt }), false, true);
        save();
      }
    }
  }

  function setupPrint(button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  }

  /* After a successful Save the server names the draft that save made obsolete. */
  function dropSavedDraft(marker) {
    var store = storage();
    if (!store) { return; }
    try {
      var draft = JSON.parse(store.getItem(marker.dataset.draftKey) || "null");
      if (draft && draft.submitted) { store.removeItem(marker.dataset.draftKey); }
    } catch (e) { /* nothing to drop */ }
  }

  /* On phones the dimensions are a strip that scrolls sideways: show the current one. */
  function revealCurrent() {
    var current = document.querySelector(".assessment-nav .completion li.current");
    var strip = current && current.parentElement;
    if (strip && strip.scrollWidth > strip.clientWidth) {
      strip.scrollLeft = current.offsetLeft - strip.offsetLeft - 8;
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    revealCurrent();
    var marker = byId("just-saved");
    if (marker) { dropSavedDraft(marker); }
    var form = byId("assessment-form");
    if (form) { setupForm(form); }
    var printButton = byId("print-button");
    if (printButton) { setupPrint(printButton); }
  });
}());
