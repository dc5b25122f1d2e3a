/* The issue panel's skills the issue needs (each with a minimum level), editable by whoever Jira lets
 * edit the issue and read-only for everyone else, and below them who could take it: the ranked people
 * with what each covers and misses, their levels and their open issues. Assigning stays Jira's: each
 * person links to their skills page. */
window.Skills.start("issue-skills", function (data) {
  "use strict";
  var S = window.Skills, M = S.match, el = S.el;
  var box = document.getElementById("issue-needs");
  var list = document.getElementById("needed-list");
  var empty = document.getElementById("needed-empty");
  var form = document.getElementById("needed-form");
  var input = document.getElementById("needed-input");
  var picker = document.getElementById("needed-level");
  var statusNode = document.getElementById("needed-status");
  var searchableNode = document.getElementById("needed-searchable");
  var suggestionsBox = document.getElementById("suggestions");
  if (!box || !data.issueId) return;  // a panel URL without the issue's id: nothing of this to show
  var issue = "issueId=" + encodeURIComponent(data.issueId);
  var skills = [];
  var canEdit = false;
  var levels = null;

  function say(message, kind) { S.status(message, kind, statusNode); }

  function show(answer) {
    skills = answer.skills;
    S.clear(list);
    skills.forEach(function (skill, index) {
      var item = el("li", { "data-skill": skill.name }, el("span", { className: "name", text: skill.name }));
      if (canEdit) {
        var select = M.levelPicker(levels, skill.minLevel, "Minimum level of " + skill.name);
        select.addEventListener("change", function () {
          var next = skills.slice();
          next[index] = { name: skill.name, minLevel: M.pickedLevel(select) };
          save(next, skill.name + " now needs " + (next[index].minLevel ? M.levelName(levels, next[index].minLevel) + " or above" : "any level") + ".");
        });
        item.appendChild(select);
        item.appendChild(el("button", { type: "button", className: "remove", text: "×", title: "Remove",
          "aria-label": "Remove " + skill.name, onclick: function () {
            save(skills.filter(function (other) { return other !== skill; }), "Removed " + skill.name + ".");
          } }));
      } else {
        item.appendChild(el("span", { className: "min-level subtle",
          text: skill.minLevel ? "at least " + M.levelName(levels, skill.minLevel) : "any level" }));
      }
      list.appendChild(item);
    });
    empty.hidden = skills.length > 0;
    searchableNode.hidden = answer.searchable !== false;
    suggest();
  }

  function save(next, done) {
    say("Saving…");
    S.api("PUT", "/issue-skills?" + issue, { skills: next }).then(function (answer) {
      say(done);
      show(answer);
    }, function (err) { say(err.message, "error"); });
  }

  var round = 0;
  function suggest() {
    round += 1;
    var mine = round;
    S.clear(suggestionsBox);
    if (!skills.length) {
      suggestionsBox.appendChild(el("p", { className: "empty", text: "Name the skills this issue needs to see who could take it." }));
      return;
    }
    suggestionsBox.setAttribute("aria-busy", "true");
    suggestionsBox.appendChild(el("p", { className: "status loading", role: "status", text: "Finding who could take it…" }));
    S.api("GET", "/issue-skills/suggestions?" + issue + "&limit=10").then(function (answer) {
      if (mine !== round) return;
      S.clear(suggestionsBox);
      if (!answer.people.length) {
        suggestionsBox.appendChild(el("p", { className: "empty", text: "No one has any of these skills yet." }));
      } else {
        suggestionsBox.appendChild(M.rankedList(answer, levels, "Who could take this issue", true));
      }
    }, function (err) {
      if (mine !== round) return;
      S.clear(suggestionsBox);
      suggestionsBox.appendChild(el("p", { className: "status error", role: "alert", text: err.message }));
    }).then(function () { if (mine === round) suggestionsBox.setAttribute("aria-busy", "false"); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var name = S.cleanName(input.value);
    if (!name) return;
    if (skills.some(function (skill) { return S.nameKey(skill.name) === S.nameKey(name); })) {
      say(name + " is already listed.", "error");
      return;
    }
    var minLevel = M.pickedLevel(picker);
    input.value = "";
    picker.value = "";  // the next skill starts at any level again
    save(skills.concat([{ name: name, minLevel: minLevel }]), "Added " + name + ".");
    input.focus();
  });

  // Jira says whether the viewer may edit the issue; the server checks it again on every change.
  var editable = S.jira("/rest/api/3/mypermissions?" + issue + "&permissions=EDIT_ISSUES").then(function (answer) {
    var edit = answer && answer.permissions && answer.permissions.EDIT_ISSUES;
    return Boolean(edit && edit.havePermission);
  }, function () { return false; });

  Promise.all([M.loadScale(), editable, S.api("GET", "/issue-skills?" + issue)]).then(function (found) {
    levels = found[0];
    canEdit = found[1];
    S.clear(picker);
    M.levelPicker(levels, null, "").querySelectorAll("option").forEach(function (option) { picker.appendChild(option); });
    form.hidden = !canEdit;
    box.hidden = false;
    show(found[2]);
  }, function (err) {
    box.hidden = false;
    say(err.message, "error");
  });
});
