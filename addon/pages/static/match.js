/* Ranked people for some skills, shared by the issue panel and the expert finder: who meets what, at
 * which level, and why they rank where they do, in words ("covers 2 of 3, missing Go"). Also the site's
 * scale of levels, for naming levels and choosing a minimum. Extends window.Skills (common.js). */
(function () {
  "use strict";
  var S = window.Skills, el = S.el;

  /* The site's scale (GET /api/levels, asked once per page by common.js). */
  function loadScale() { return S.scale(); }

  function levelName(levels, level) {
    if (level === null || level === undefined) return "not rated";
    var found = levels.levels.filter(function (entry) { return entry.level === level; })[0];
    return found ? found.name : "level " + level;
  }

  /* A <select> of "any level" and each level of the scale, set to `value`. */
  function levelPicker(levels, value, label) {
    var select = el("select", { className: "level-picker", "aria-label": label });
    select.appendChild(el("option", { value: "", text: "any level" }));
    levels.levels.forEach(function (entry) {
      select.appendChild(el("option", { value: String(entry.level), text: "at least " + entry.name }));
    });
    select.value = value === null || value === undefined ? "" : String(value);
    return select;
  }

  function pickedLevel(select) { return select.value ? Number(select.value) : null; }

  function listed(names) {
    if (names.length < 2) return names.join("");
    return names.slice(0, -1).join(", ") + " and " + names[names.length - 1];
  }

  /* Why someone ranks where they do, in words. */
  function reason(person, skills) {
    var total = skills.length;
    if (!person.missing.length) return total === 1 ? "meets it" : "covers all " + total;
    return "covers " + person.covers + " of " + total + ", missing " + listed(person.missing);
  }

  function levelsText(person, skills, levels) {
    return skills.filter(function (skill) { return Object.prototype.hasOwnProperty.call(person.levels, skill.name); })
      .map(function (skill) {
        var text = skill.name + ": " + levelName(levels, person.levels[skill.name]);
        if (person.missing.indexOf(skill.name) !== -1 && skill.minLevel) text += " (needs " + levelName(levels, skill.minLevel) + ")";
        return text;
      }).join(" · ");
  }

  function openIssuesText(count) {
    if (count === null || count === undefined) return "open issues unknown";
    return count === 0 ? "no open issues" : count + (count === 1 ? " open issue" : " open issues");
  }

  /* The ranked people of a match answer; `workload` shows each one's open issues (suggestions). */
  function rankedList(answer, levels, label, workload) {
    var list = el("ol", { className: "ranked", "aria-label": label });
    answer.people.forEach(function (person, index) {
      var item = el("li", { className: "match-row", "data-account-id": person.accountId },
        el("span", { className: "rank", "aria-hidden": "true", text: String(index + 1) }),
        S.person(person.accountId),
        el("span", { className: "why", text: reason(person, answer.skills) }));
      var detail = el("div", { className: "match-detail subtle" },
        el("span", { className: "levels", text: levelsText(person, answer.skills, levels) }));
      if (workload) detail.appendChild(el("span", { className: "open-issues", text: openIssuesText(person.openIssues) }));
      item.appendChild(detail);
      list.appendChild(item);
    });
    return list;
  }

  S.match = { loadScale: loadScale, levelName: levelName, levelPicker: levelPicker, pickedLevel: pickedLevel,
              reason: reason, rankedList: rankedList, listed: listed };
})();
