/* Skills at risk: how many skills have no expert, one, or few, and the issues that need them, as a
 * summary line, two charts drawn here in SVG and a sortable table; filtered by category, exported as
 * CSV as shown. A skill's name opens its people in the expert finder. */
window.Skills.start("risk", function () {
  "use strict";
  var S = window.Skills, I = window.SkillsInsights, el = S.el, svg = I.svg;
  var BARS = 30;  // skills drawn in the chart of levels: the first of the table's order
  var select = document.getElementById("risk-category");
  var csvButton = document.getElementById("risk-csv");
  var table = document.getElementById("risk-table");
  var rows = document.getElementById("risk-rows");
  var summary = document.getElementById("risk-summary");
  var charts = document.getElementById("risk-charts");
  var empty = document.getElementById("risk-empty");
  var found = null;      // the scale
  var paths = {};        // category key -> its path in the tree
  var skills = [];       // the answer's skills, in the order shown
  var sort = { key: "risk", descending: false };
  var round = 0;         // a later load makes an earlier one's answer moot

  /* Each column's order, ascending; ties go by name, A to Z, whichever the direction. */
  var COMPARE = {
    // The answer's own order: risk, then the issues that need it (most first).
    risk: function (a, b) { return I.RISKS.indexOf(a.risk) - I.RISKS.indexOf(b.risk) || b.requiredBy - a.requiredBy; },
    name: function () { return 0; },
    category: function (a, b) { return categoryOf(a).localeCompare(categoryOf(b)); },
    holders: function (a, b) { return a.holders - b.holders; },
    experts: function (a, b) { return a.experts - b.experts; },
    requiredBy: function (a, b) { return a.requiredBy - b.requiredBy; }
  };

  function byName(a, b) { var x = S.nameKey(a.name), y = S.nameKey(b.name); return x < y ? -1 : x > y ? 1 : 0; }

  function categoryOf(skill) { return skill.categoryKey ? paths[skill.categoryKey] || "" : ""; }

  function sorted() {
    var compare = COMPARE[sort.key], sign = sort.descending ? -1 : 1;
    return skills.slice().sort(function (a, b) { return sign * (compare(a, b) || (sort.key === "name" ? byName(a, b) : 0)) || byName(a, b); });
  }

  /* Summary ------------------------------------------------------------------------------------- */

  function showSummary() {
    var counts = {}, needs = 0;
    I.RISKS.forEach(function (risk) { counts[risk] = 0; });
    skills.forEach(function (skill) {
      counts[skill.risk] += 1;
      if (skill.risk !== "ok") needs += skill.requiredBy;
    });
    var parts = ["blocker", "bottleneck", "scarce"].map(function (risk) {
      return I.plural(counts[risk], I.RISK[risk].one, I.RISK[risk].many) + " (" + I.RISK[risk].means + ")";
    });
    summary.textContent = parts.join(", ") + ". " + (needs
      ? "Issues ask for these skills " + I.plural(needs, "time", "times") + "."
      : "No issue asks for them.") + " " + I.plural(skills.length, "skill", "skills") + " in all.";
    summary.hidden = false;
  }

  /* Charts -------------------------------------------------------------------------------------- */

  function riskChart() {
    var figure = document.getElementById("risk-chart");
    var old = figure.querySelector("svg");
    if (old) old.remove();
    var counts = I.RISKS.map(function (risk) { return skills.filter(function (s) { return s.risk === risk; }).length; });
    var most = Math.max.apply(null, counts.concat([1]));
    var width = 360, label = 96, bar = 22, gap = 10, room = width - label - 48;
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + (I.RISKS.length * (bar + gap)), width: width,
                             height: I.RISKS.length * (bar + gap), role: "img", className: "risk-bars",
                             "aria-label": I.RISKS.map(function (risk, i) { return I.RISK[risk].label + ": " + counts[i]; }).join(", ") });
    I.RISKS.forEach(function (risk, i) {
      var y = i * (bar + gap), w = Math.max(counts[i] ? 2 : 0, Math.round(room * counts[i] / most));
      var row = svg("g", { className: "risk-" + risk, "data-risk": risk });
      row.appendChild(svg("text", { x: label - 8, y: y + bar / 2, className: "axis-label", "text-anchor": "end",
                                    "dominant-baseline": "central", text: I.RISK[risk].label }));
      row.appendChild(I.titled(svg("rect", { x: label, y: y, width: w, height: bar, rx: 2, className: "risk-fill" }),
        I.RISK[risk].label + ": " + I.plural(counts[i], "skill", "skills") + " with " + I.RISK[risk].means));
      row.appendChild(svg("text", { x: label + w + 6, y: y + bar / 2, className: "value", "dominant-baseline": "central",
                                    text: String(counts[i]) }));
      chart.appendChild(row);
    });
    figure.appendChild(chart);
  }

  /* One bar per skill, its holders stacked by level (lowest first), then the unrated. */
  function levelChart(list) {
    var figure = document.getElementById("level-chart");
    var old = figure.querySelector("svg");
    if (old) old.remove();
    var shown = list.slice(0, BARS), top = found.levels.length;
    document.getElementById("level-chart-caption").textContent = shown.length < list.length
      ? "Holders of the first " + shown.length + " skills of the table by level"
      : "Holders of each skill by level";
    var most = Math.max.apply(null, shown.map(function (s) { return s.holders; }).concat([1]));
    var width = 640, label = 180, bar = 16, gap = 6, room = width - label - 48;
    var height = Math.max(1, shown.length) * (bar + gap);
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: width, height: height, role: "img",
                             className: "level-bars", "aria-label": "Holders of each skill by level; the table gives the numbers" },
      svg("defs", null, svg("pattern", { id: "unrated-stripes", width: 6, height: 6, patternUnits: "userSpaceOnUse",
                                         patternTransform: "rotate(45)" },
        svg("rect", { width: 6, height: 6, fill: "#F4F5F7" }), svg("rect", { width: 3, height: 6, fill: "#C1C7D0" }))));
    shown.forEach(function (skill, i) {
      var y = i * (bar + gap), x = label;
      var row = svg("g", { "data-skill": skill.name });
      var name = skill.name.length > 26 ? skill.name.slice(0, 25) + "…" : skill.name;
      row.appendChild(I.titled(svg("text", { x: label - 8, y: y + bar / 2, className: "axis-label", "text-anchor": "end",
                                             "dominant-baseline": "central", text: name }), skill.name));
      var levels = found.levels.map(function (entry) { return entry.level; }).concat([null]);
      levels.forEach(function (level) {
        var count = skill.byLevel[level === null ? "unrated" : String(level)] || 0;
        if (!count) return;
        var w = room * count / most;
        row.appendChild(I.titled(svg("rect", { x: x, y: y, width: w, height: bar,
                                               className: "shade-" + I.shade(level, top), "data-level": level === null ? "unrated" : level }),
          skill.name + ": " + I.plural(count, "person", "people") + " " + (level === null ? "not rated" : "at " + S.levelName(found, level))));
        x += w;
      });
      row.appendChild(svg("text", { x: x + 6, y: y + bar / 2, className: "value", "dominant-baseline": "central",
                                    text: skill.holders + (skill.holders === 1 ? " holder" : " holders") }));
      chart.appendChild(row);
    });
    figure.insertBefore(chart, document.getElementById("level-legend"));
  }

  /* Table --------------------------------------------------------------------------------------- */

  function riskBadge(risk) {
    return el("span", { className: "risk-badge risk-" + risk, title: I.RISK[risk].means },
      el("span", { className: "risk-dot", "aria-hidden": "true" }), I.RISK[risk].label);
  }

  function showTable() {
    var list = sorted();
    S.clear(rows);
    var fragment = document.createDocumentFragment();
    list.forEach(function (skill) {
      var levels = found.levels.map(function (entry) {
        return entry.name + ": " + (skill.byLevel[String(entry.level)] || 0);
      }).concat(["not rated: " + skill.byLevel.unrated]).join(", ");
      fragment.appendChild(el("tr", { "data-skill": skill.name },
        el("td", null, riskBadge(skill.risk)),
        el("td", null, el("button", { type: "button", className: "link-button", text: skill.name,
                                      title: "The people who know " + skill.name,
                                      onclick: function () { S.openFinder(skill.name); } })),
        el("td", { className: "subtle", text: categoryOf(skill) }),
        el("td", { className: "number", title: levels, text: String(skill.holders) }),
        el("td", { className: "number", text: String(skill.experts) }),
        el("td", { className: "number", text: String(skill.requiredBy) })));
    });
    rows.appendChild(fragment);
    table.querySelectorAll("th").forEach(function (th) {
      var key = th.querySelector("button").getAttribute("data-sort");
      if (key === sort.key) th.setAttribute("aria-sort", sort.descending ? "descending" : "ascending");
      else th.removeAttribute("aria-sort");
    });
    table.hidden = !list.length;
    empty.hidden = list.length > 0;
    table.setAttribute("aria-busy", "false");
    levelChart(list);
    return list;
  }

  table.querySelectorAll("th button").forEach(function (button) {
    button.addEventListener("click", function () {
      var key = button.getAttribute("data-sort");
      // A new column starts with what matters most: riskiest, most held, most needed; names A to Z.
      sort = key === sort.key ? { key: key, descending: !sort.descending }
        : { key: key, descending: ["holders", "experts", "requiredBy"].indexOf(key) !== -1 };
      showTable();
      S.status("Sorted by " + button.textContent.toLowerCase() + (sort.descending ? ", descending." : "."));
    });
  });

  /* Loading ------------------------------------------------------------------------------------- */

  function load() {
    var mine = ++round;
    var key = select.value;
    S.status("Loading the skills…");
    document.getElementById("status").classList.add("loading");
    table.setAttribute("aria-busy", "true");
    csvButton.disabled = true;
    Promise.all([S.api("GET", "/insights/skills" + (key ? "?category=" + encodeURIComponent(key) : "")),
                 S.scale()]).then(function (answers) {
      if (mine !== round) return;
      var answer = answers[0];
      found = answers[1];
      skills = answer.skills;
      var expert = S.levelName(found, answer.expertLevel);
      document.getElementById("risk-intro").textContent = "Skills with few experts, and the issues that need them. "
        + "An expert holds the skill at " + expert + " or above, or holds it unrated.";
      I.legend(document.getElementById("level-legend"), found);
      document.getElementById("status").classList.remove("loading");
      S.status("");
      showSummary();
      charts.hidden = !skills.length;
      riskChart();
      showTable();
      csvButton.disabled = !skills.length;
      I.mark("skills:risk-drawn");
    }).catch(function (err) {
      if (mine !== round) return;
      document.getElementById("status").classList.remove("loading");
      S.status(err.message, "error");
    });
  }

  function exportCsv() {
    var list = sorted();
    var header = ["risk", "skill", "category", "holders", "experts", "issues needing it"]
      .concat(found.levels.map(function (entry) { return entry.name; }), ["not rated"]);
    var lines = [header].concat(list.map(function (skill) {
      return [skill.risk, skill.name, categoryOf(skill), skill.holders, skill.experts, skill.requiredBy]
        .concat(found.levels.map(function (entry) { return skill.byLevel[String(entry.level)] || 0; }), [skill.byLevel.unrated]);
    }));
    var option = select.options[select.selectedIndex];
    I.downloadCsv("skills-at-risk" + (select.value ? "-" + option.textContent.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase() : "")
                  + ".csv", lines);
  }

  S.api("GET", "/skill-tree").then(function (answer) {
    I.categories(answer.skillTree || []).forEach(function (category) {
      paths[category.key] = category.path;
      select.appendChild(el("option", { value: category.key, text: category.path }));
    });
    select.disabled = false;
    if (skills.length) showTable();  // the category column, now that the paths are known
  }).catch(function (err) { S.status(err.message, "error"); });
  select.addEventListener("change", load);
  csvButton.addEventListener("click", exportCsv);
  load();
});
