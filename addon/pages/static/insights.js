/* What the two insights pages (skills at risk, the skills matrix) share: the colours of risks and
 * levels, the legend of the tenant's scale (S.scale()), the categories of the tree, SVG elements and the CSV file.
 *
 * Colours are read by people with every common colour-vision deficiency: risks take Okabe and Ito's
 * palette without its green (vermilion, orange, sky blue, blue), levels one hue from light to dark
 * (ColorBrewer's Blues), so their order shows in lightness alone; and every colour comes with its
 * words and number (a label, a title on hover, the table). */
(function () {
  "use strict";
  var S = window.Skills, el = S.el;
  var SVG = "http://www.w3.org/2000/svg";

  var RISKS = ["blocker", "bottleneck", "scarce", "ok"];
  var RISK = {
    blocker: { label: "Blocker", one: "blocker", many: "blockers", means: "no expert" },
    bottleneck: { label: "Bottleneck", one: "bottleneck", many: "bottlenecks", means: "one expert" },
    scarce: { label: "Scarce", one: "scarce skill", many: "scarce skills", means: "two or three experts" },
    ok: { label: "OK", one: "skill with enough experts", many: "skills with enough experts", means: "four experts or more" }
  };
  var SHADES = 7;  // pages.css .shade-1 (lightest) to .shade-7 (darkest); .shade-0 is "not rated"

  /* The shade of a level on a scale of `top` levels: the scale spread over the seven shades. */
  function shade(level, top) {
    if (!level) return 0;
    if (top <= 1) return SHADES;
    return Math.round(1 + (Math.min(level, top) - 1) * (SHADES - 1) / (top - 1));
  }

  function svg(tag, attrs) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs[name];
      else if (name === "className") node.setAttribute("class", attrs[name]);
      else if (attrs[name] !== null && attrs[name] !== undefined) node.setAttribute(name, attrs[name]);
    });
    for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(arguments[i]);
    return node;
  }

  /* A hover text on an SVG shape, read by screen readers too. */
  function titled(node, text) {
    node.appendChild(svg("title", { text: text }));
    return node;
  }

  /* The legend of the levels' shades, then "not rated". */
  function legend(list, found, extra) {
    S.clear(list);
    var top = found.levels.length;
    found.levels.forEach(function (entry) {
      list.appendChild(el("li", null, el("span", { className: "swatch shade-" + shade(entry.level, top), "aria-hidden": "true" }),
        entry.level + " " + entry.name + (entry.level === found.expertLevel ? " (experts from here)" : "")));
    });
    list.appendChild(el("li", null, el("span", { className: "swatch shade-0", "aria-hidden": "true" }), "Not rated (counts as an expert)"));
    if (extra) list.appendChild(extra);
  }

  /* Every category of a skill tree with its path and the number of skills below it, in tree order. */
  function categories(tree) {
    var found = [];
    S.walkTree(tree, function (node, ancestors) {
      if (node.type === "category") {
        node.skillCount = 0;
        found.push({ key: node.key, name: node.displayName, node: node,
                     path: ancestors.map(function (a) { return a.displayName; }).concat([node.displayName]).join(" › ") });
      } else {
        ancestors.forEach(function (category) { category.skillCount += 1; });
      }
    });
    found.forEach(function (category) { category.skills = category.node.skillCount; delete category.node; });
    return found;
  }

  function plural(n, one, many) { return n.toLocaleString("en") + " " + (n === 1 ? one : many); }

  function downloadCsv(filename, rows) {
    S.download(filename, window.SkillsCsv.format(rows), "text/csv");
  }

  /* When a result was drawn, for the page's own timing (the benchmark and the tests read these marks). */
  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  window.SkillsInsights = {
    RISKS: RISKS, RISK: RISK, shade: shade, svg: svg, titled: titled, legend: legend, categories: categories,
    plural: plural, downloadCsv: downloadCsv, mark: mark
  };
})();
