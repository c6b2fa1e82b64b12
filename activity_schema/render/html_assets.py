"""The inline style sheet and script of the HTML report (see :mod:`.html`).

Kept apart from the rendering so that each reads as what it is. Both are static: no
report data is ever interpolated into them (the data lives in the page's elements and
``data-`` attributes, escaped), so their hashes in the page's Content-Security-Policy
are those of these constants.
"""

from __future__ import annotations

__all__ = ["SCRIPT", "STYLE"]

STYLE = """
:root { color-scheme: light dark; --fg: #1d2939; --muted: #667085; --bg: #ffffff;
  --panel: #f2f4f7; --line: #d0d5dd; --error: #b42318; --warning: #b54708;
  --fixed: #027a48; --info: #475467; --link: #175cd3; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e4e7ec; --muted: #98a2b3; --bg: #101828; --panel: #1d2939;
    --line: #344054; --error: #f97066; --warning: #fdb022; --fixed: #32d583;
    --info: #98a2b3; --link: #84adff; }
}
* { box-sizing: border-box; }
[hidden] { display: none !important; }
body { margin: 0 auto; max-width: 1200px; padding: 1.5rem; color: var(--fg);
  background: var(--bg); font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto,
  Helvetica, Arial, sans-serif; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
h2 { font-size: 1.2rem; margin: 2rem 0 .5rem; padding-bottom: .25rem;
  border-bottom: 1px solid var(--line); }
h3 { font-size: 1rem; margin: 1.25rem 0 .4rem; }
a { color: var(--link); }
nav { margin: .5rem 0 1rem; color: var(--muted); }
nav a { margin-right: .9rem; }
.muted, .note { color: var(--muted); }
.verdict { padding: .9rem 1.1rem; border-radius: 8px; font-size: 1.15rem;
  font-weight: 600; border-left: 6px solid; background: var(--panel); }
.verdict.bad { border-color: var(--error); }
.verdict.warn { border-color: var(--warning); }
.verdict.ok { border-color: var(--fixed); }
.totals { display: flex; flex-wrap: wrap; gap: .6rem; margin: 1rem 0 0; padding: 0; }
.totals div { background: var(--panel); border-radius: 8px; padding: .5rem .9rem;
  min-width: 8rem; }
.totals dt { font-size: .8rem; color: var(--muted); }
.totals dd { margin: 0; font-size: 1.3rem; font-weight: 600; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0; font-size: .9rem; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { background: var(--panel); font-weight: 600; white-space: nowrap; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
th button { font: inherit; color: inherit; background: none; border: 0; padding: 0;
  cursor: pointer; }
th[aria-sort="ascending"] button::after { content: " \\25B2"; }
th[aria-sort="descending"] button::after { content: " \\25BC"; }
code.v { white-space: pre-wrap; word-break: break-all; background: var(--panel);
  padding: 0 .2rem; border-radius: 3px; }
.sev { font-weight: 600; }
td a, td.sev { white-space: nowrap; }
.sev.error { color: var(--error); }
.sev.warning { color: var(--warning); }
.sev.fixed { color: var(--fixed); }
.sev.info { color: var(--info); }
.more { font-style: italic; color: var(--muted); }
form.filter { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center;
  margin: .5rem 0; }
form.filter input, form.filter select { font: inherit; padding: .2rem .4rem;
  color: var(--fg); background: var(--bg); border: 1px solid var(--line);
  border-radius: 4px; }
form.filter input { min-width: 14rem; }
svg.chart { display: block; max-width: 100%; height: auto; }
svg.chart text { fill: var(--fg); font-size: 12px; }
svg.chart .bar.error { fill: var(--error); }
svg.chart .bar.warning { fill: var(--warning); }
svg.chart .bar.fixed { fill: var(--fixed); }
svg.chart .bar.info { fill: var(--info); }
.legend span { margin-right: 1rem; }
.swatch { display: inline-block; width: .8rem; height: .8rem; border-radius: 2px;
  vertical-align: -1px; margin-right: .3rem; }
.swatch.error { background: var(--error); }
.swatch.warning { background: var(--warning); }
.swatch.fixed { background: var(--fixed); }
.swatch.info { background: var(--info); }
.rewrites { margin-left: 1rem; }
footer { margin-top: 2.5rem; color: var(--muted); font-size: .85rem; }
@media print { form.filter, nav { display: none; } body { max-width: none; } }
"""

# The page works without this script (everything is in the HTML); it only adds the
# filters (hidden until it runs), sorting by a column header, and the filters given in
# the address' fragment (#severity=error&code=invalid-email), so that a filtered view
# can be shared. It marks the page with data-js="ready" once it ran.
SCRIPT = """
(function () {
  "use strict";
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  var rowsOf = function (table) { return Array.prototype.slice.call(table.tBodies[0].rows); };
  function applyFilter(form) {
    var table = document.getElementById(form.getAttribute("data-filter"));
    if (!table) { return; }
    var q = form.elements.q ? form.elements.q.value.trim().toLowerCase() : "";
    var wanted = [];
    each(form.querySelectorAll("select"), function (select) {
      if (select.value) { wanted.push([select.name, select.value]); }
    });
    var rows = rowsOf(table);
    var shown = 0;
    rows.forEach(function (row) {
      var keep = wanted.every(function (w) { return row.getAttribute("data-" + w[0]) === w[1]; });
      if (keep && q) { keep = row.textContent.toLowerCase().indexOf(q) !== -1; }
      row.hidden = !keep;
      if (keep) { shown += 1; }
    });
    var out = form.querySelector("output");
    if (out) {
      out.textContent = "Showing " + shown.toLocaleString("en-US") + " of " +
        rows.length.toLocaleString("en-US") + " listed";
      out.setAttribute("data-shown", String(shown));
    }
  }
  function sortBy(table, index, th) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    each(th.parentNode.cells, function (cell) { cell.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var keyed = rowsOf(table).map(function (row, i) {
      var cell = row.cells[index];
      var n = cell && cell.hasAttribute("data-n") ? Number(cell.getAttribute("data-n")) : NaN;
      var text = cell ? (cell.getAttribute("data-sort") || cell.textContent) : "";
      return { row: row, i: i, n: n, text: text.toLowerCase() };
    });
    keyed.sort(function (a, b) {
      var c = a.text < b.text ? -1 : a.text > b.text ? 1 : 0;
      if (!isNaN(a.n) && !isNaN(b.n)) { c = a.n - b.n; }
      return (ascending ? c : -c) || a.i - b.i;
    });
    var body = table.tBodies[0];
    keyed.forEach(function (k) { body.appendChild(k.row); });
  }
  var params = new URLSearchParams(window.location.hash.replace(/^#/, ""));
  each(document.querySelectorAll("form[data-filter]"), function (form) {
    form.hidden = false;
    params.forEach(function (value, key) {
      var field = form.elements[key];
      if (!field || !field.tagName) { return; }
      if (field.tagName === "SELECT" &&
          !Array.prototype.some.call(field.options, function (o) { return o.value === value; })) {
        return;
      }
      field.value = value;
    });
    form.addEventListener("input", function () { applyFilter(form); });
    form.addEventListener("change", function () { applyFilter(form); });
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    applyFilter(form);
  });
  each(document.querySelectorAll("table.sortable"), function (table) {
    each(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.title = "Sort by this column";
      button.textContent = th.textContent;
      button.addEventListener("click", function () { sortBy(table, index, th); });
      th.textContent = "";
      th.appendChild(button);
    });
  });
  document.documentElement.setAttribute("data-js", "ready");
}());
"""
