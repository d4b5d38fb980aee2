// The live session screen: polls the workshop's live JSON every few seconds and redraws
// progress, the dimension figures and the questions to discuss, without reloading the page.
// Everything is built with DOM methods and textContent: no HTML from data, no inline styles
// (the bars are SVG rectangles whose widths are attributes). Its words come translated from the
// server (data-messages: key → text with %(name)s placeholders), in the page's language, which is
// also its <html lang> and the language its polling gets: the room's on the host's screen
// (live.html), the reader's own on the read-only copy on one's own device (live_view.html, which
// has no reveal form).
(function () {
  "use strict";
  var root = document.getElementById("live");
  if (!root) return;
  var url = root.dataset.url;
  var MESSAGES = {};
  try { MESSAGES = JSON.parse(root.dataset.messages || "{}"); } catch (e) { MESSAGES = {}; }
  var LANG = document.documentElement.lang || undefined;
  var INTERVAL = Number(root.dataset.refreshMs) || 4000;  // EIS_LIVE_REFRESH_SECONDS
  var QUESTIONS_SHOWN = 8;
  var SVG = "http://www.w3.org/2000/svg";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function t(key, params) {
    var text = MESSAGES[key] || key;
    return text.replace(/%\((\w+)\)[sd]/g, function (whole, name) {
      return params && name in params ? String(params[name]) : whole;
    });
  }

  function number(value, digits) {  // with the room's decimal separator
    return value.toLocaleString(LANG, { minimumFractionDigits: digits, maximumFractionDigits: digits });
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) return "—";
    return number(value, digits === undefined ? 1 : digits);
  }

  function signed(value) {
    if (value === null || value === undefined) return "—";
    return (value > 0 ? "+" : value < 0 ? "−" : "±") + number(Math.abs(value), 1);
  }

  function replace(container, children) {
    while (container.firstChild) container.removeChild(container.firstChild);
    children.forEach(function (child) { container.appendChild(child); });
  }

  function renderProgress(rows) {
    var container = document.getElementById("live-progress");
    if (!rows.length) {
      replace(container, [el("p", "muted", t("no_region"))]);
      return;
    }
    replace(container, rows.map(function (row) {
      var item = el("div", "live-progress-row");
      var label = el("span", "live-region", row.region);
      label.title = row.name;
      var bar = el("progress");
      bar.max = Math.max(row.assigned, 1);
      bar.value = row.submitted;
      bar.setAttribute("aria-label", t("progress_label", { region: row.region, done: row.submitted, all: row.assigned }));
      item.appendChild(label);
      item.appendChild(bar);
      item.appendChild(el("span", "live-count", t("progress", { done: row.submitted, all: row.assigned })));
      return item;
    }));
  }

  function bar(value, scale, className, y) {
    var rect = document.createElementNS(SVG, "rect");
    var share = value === null ? 0 : (value - scale.min) / (scale.max - scale.min);
    rect.setAttribute("x", "0");
    rect.setAttribute("y", String(y));
    rect.setAttribute("height", "10");
    rect.setAttribute("width", String(Math.max(0, Math.min(1, share)) * 100));
    rect.setAttribute("class", className);
    return rect;
  }

  function renderDimensions(data) {
    var byRegion = {};
    var order = [];
    data.dimensions.forEach(function (row) {
      if (!byRegion[row.region]) { byRegion[row.region] = []; order.push(row.region); }
      byRegion[row.region].push(row);
    });
    var overall = {};
    data.overall.forEach(function (row) { overall[row.region] = row; });
    replace(document.getElementById("live-dimensions"), order.map(function (region) {
      var block = el("div", "live-region-block");
      var head = el("h3", null, region);
      var total = overall[region];
      if (total) head.appendChild(el("span", "live-overall", t("overall", { self: fmt(total.self), peers: fmt(total.peer_mean) })));
      block.appendChild(head);
      var table = el("table", "live-table");
      var body = el("tbody");
      byRegion[region].forEach(function (row) {
        var tr = el("tr");
        tr.appendChild(el("th", null, row.title)).setAttribute("scope", "row");
        var chart = el("td", "live-chart");
        var svg = document.createElementNS(SVG, "svg");
        svg.setAttribute("viewBox", "0 0 100 24");
        svg.setAttribute("preserveAspectRatio", "none");
        svg.setAttribute("aria-hidden", "true");
        svg.appendChild(bar(row.self, data.scale, "bar-self", 1));
        svg.appendChild(bar(row.peer_mean, data.scale, "bar-peer", 13));
        chart.appendChild(svg);
        tr.appendChild(chart);
        tr.appendChild(el("td", "num", fmt(row.self)));
        tr.appendChild(el("td", "num strong", fmt(row.peer_mean)));
        tr.appendChild(el("td", "num gap", signed(row.gap)));
        body.appendChild(tr);
      });
      var headRow = el("tr");
      [t("dimension"), t("bars"), t("self_head"), t("peers_head"), t("gap_head")].forEach(function (text, i) {
        var th = el("th", i > 1 ? "num" : null);
        th.appendChild(el("span", i === 1 ? "visually-hidden" : null, text));
        th.setAttribute("scope", "col");
        headRow.appendChild(th);
      });
      var thead = el("thead");
      thead.appendChild(headRow);
      table.appendChild(thead);
      table.appendChild(body);
      block.appendChild(table);
      return block;
    }));
  }

  function renderQuestions(rows) {
    var list = document.getElementById("live-questions");
    if (!rows.length) {
      replace(list, [el("li", "muted", t("no_scores"))]);
      return;
    }
    replace(list, rows.slice(0, QUESTIONS_SHOWN).map(function (row) {
      var item = el("li", "live-question");
      var title = el("p", "live-question-text");
      title.appendChild(el("span", "live-region", row.region));
      title.appendChild(document.createTextNode(" " + row.text));
      item.appendChild(title);
      var figures = el("p", "live-figures");
      [[t("self"), row.self === null ? "—" : fmt(row.self, 0)],
       [t("peers"), t("peer_figures", { mean: fmt(row.peer_mean), min: fmt(row.peer_min, 0), max: fmt(row.peer_max, 0), n: row.peer_n })],
       [t("spread"), fmt(row.peer_sd)],
       [t("gap"), signed(row.gap)]].forEach(function (pair) {
        var span = el("span", "figure");
        span.appendChild(el("span", "figure-label", pair[0]));
        span.appendChild(el("strong", null, pair[1]));
        figures.appendChild(span);
      });
      item.appendChild(figures);
      return item;
    }));
  }

  function render(data) {
    document.getElementById("live-workshop-status").textContent = (MESSAGES.statuses || {})[data.status] || data.status;
    renderProgress(data.progress);
    document.getElementById("live-hidden").hidden = data.revealed;
    document.getElementById("live-dimensions-section").hidden = !data.revealed;
    document.getElementById("live-questions-section").hidden = !data.revealed;
    if (data.revealed) {
      renderDimensions(data);
      renderQuestions(data.questions);
    } else {
      replace(document.getElementById("live-dimensions"), []);
      replace(document.getElementById("live-questions"), []);
    }
    var form = document.getElementById("reveal-form");
    if (form) {
      form.elements.revealed.value = data.revealed ? "0" : "1";
      var button = document.getElementById("reveal-button");
      button.textContent = data.revealed ? t("hide") : t("reveal");
      button.classList.toggle("primary", !data.revealed);
    }
    var now = new Date();
    document.getElementById("live-updated").textContent =
      t("updated", { time: now.toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) });
  }

  var timer = null;
  function refresh() {
    clearTimeout(timer);
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status === 403 ? t("not_allowed") : t("status", { status: response.status }));
        return response.json();
      })
      .then(render)
      .catch(function (error) {
        document.getElementById("live-updated").textContent = t("unreachable", { error: error.message });
      })
      .then(function () { timer = setTimeout(refresh, INTERVAL); });
  }

  var form = document.getElementById("reveal-form");
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (response) {
        if (!response.ok) throw new Error(t("status", { status: response.status }));
        return refresh();
      }).catch(function (error) {
        document.getElementById("live-updated").textContent = t("switch_failed", { error: error.message });
      });
    });
  }
  refresh();
})();
