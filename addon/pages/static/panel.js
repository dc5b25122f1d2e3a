/* The issue panel: the assignee's skills with their levels and, on request, who in the site knows what
 * they do not. */
window.Skills.start("panel", function (data) {
  "use strict";
  var S = window.Skills, el = S.el;
  var SHOWN_SKILLS = 8;     // skills the assignee lacks, listed in the panel
  var SHOWN_PEOPLE = 3;     // people named for each of them
  var list = document.getElementById("skill-list");
  var empty = document.getElementById("empty");
  var others = document.getElementById("others");
  var othersBody = document.getElementById("others-body");
  var held = [];
  var assigneeId = null;

  function showAssignee(assignee) {
    var row = document.getElementById("assignee");
    S.clear(row);
    if (!assignee) {
      row.appendChild(el("span", { className: "person-name", text: "Unassigned" }));
      empty.textContent = "Assign the issue to see what the assignee knows.";
      empty.hidden = false;
      return false;
    }
    assigneeId = assignee.accountId;
    row.appendChild(S.person(assignee.accountId));
    return true;
  }

  function showSkills(skills, scale) {
    held = skills.map(function (skill) { return skill.name; });
    S.clear(list);
    skills.forEach(function (skill) {
      list.appendChild(el("li", { "data-skill": skill.name }, skill.name, S.levelBadge(scale, skill.level)));
    });
    empty.textContent = "No skills recorded for the assignee.";
    empty.hidden = skills.length > 0;
    others.hidden = false;
  }

  function showOthers() {
    if (othersBody.getAttribute("data-loaded")) return;
    othersBody.setAttribute("data-loaded", "1");
    othersBody.textContent = "Loading…";
    S.api("GET", "/skill-tree/experts").then(function (answer) {
      var mine = new Set(held.map(S.nameKey));
      var missing = S.skillNodes(answer.experts).map(function (node) {
        return { name: node.key, experts: node.experts || [] };
      }).filter(function (skill) {
        return skill.experts.length && !mine.has(S.nameKey(skill.name));
      }).sort(function (a, b) { return b.experts.length - a.experts.length || a.name.localeCompare(b.name); });
      S.clear(othersBody);
      if (!missing.length) {
        othersBody.appendChild(el("p", { className: "empty", text: "No one knows anything the assignee does not." }));
        return;
      }
      var ul = el("ul", { className: "people others-list" });
      missing.slice(0, SHOWN_SKILLS).forEach(function (skill) {
        var item = el("li", { "data-skill": skill.name }, el("strong", { text: skill.name }));
        var who = el("div", { className: "who" });
        skill.experts.slice(0, SHOWN_PEOPLE).forEach(function (id) { who.appendChild(S.person(id)); });
        var rest = skill.experts.length - SHOWN_PEOPLE;
        if (rest > 0) who.appendChild(el("span", { className: "subtle", text: "and " + rest + " more" }));
        item.appendChild(who);
        ul.appendChild(item);
      });
      othersBody.appendChild(ul);
      if (missing.length > SHOWN_SKILLS) {
        othersBody.appendChild(el("p", { className: "subtle",
          text: (missing.length - SHOWN_SKILLS) + " more skills in the expert finder." }));
      }
      othersBody.appendChild(el("button", { type: "button", className: "button button-small", text: "Open the expert finder",
        onclick: S.openFinder }));
    }).catch(function (err) {
      othersBody.removeAttribute("data-loaded");
      S.clear(othersBody);
      S.status(err.message, "error");
    });
  }

  others.addEventListener("toggle", function () { if (others.open) showOthers(); });

  S.jira("/rest/api/3/issue/" + encodeURIComponent(data.issueKey) + "?fields=assignee").then(function (issue) {
    var assignee = issue && issue.fields ? issue.fields.assignee : null;
    if (!showAssignee(assignee)) return null;
    return Promise.all([S.api("GET", "/user-skill-levels?accountId=" + encodeURIComponent(assigneeId)), S.scale()])
      .then(function (answers) { showSkills(answers[0].skills || [], answers[1]); });
  }).catch(function (err) {
    var loading = document.getElementById("assignee-name");
    if (loading) loading.textContent = "";
    S.status(err instanceof S.ApiError ? err.message : "Jira did not tell us about this issue.", "error");
  });
});
