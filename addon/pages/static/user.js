/* A person's skills: listed for everyone; added and removed by the person themself or an admin. */
window.Skills.start("user", function (data) {
  "use strict";
  var S = window.Skills, el = S.el;
  var accountId = data.accountId;
  var path = "/user-skills?accountId=" + encodeURIComponent(accountId);
  var list = document.getElementById("skill-list");
  var empty = document.getElementById("empty");
  var count = document.getElementById("skill-count");
  var form = document.getElementById("add-skill-form");
  var input = document.getElementById("add-skill-input");
  var suggestions = document.getElementById("skill-suggestions");
  var skills = [];
  var catalogue = [];

  // One markup for every host: what depends on who is looking is set here, not by the server.
  if (data.own) {
    document.getElementById("person-name").textContent = "My skills";
    document.getElementById("person-subtitle").textContent =
      "The skills you bring. Colleagues find you by them in the expert finder.";
    empty.textContent = "You have not added any skills yet.";
  }
  if (data.canEdit) {
    form.hidden = false;
    document.getElementById("read-only-note").remove();
  } else {
    form.remove();
    form = input = suggestions = null;
    document.getElementById("read-only-note").hidden = false;
  }

  function render() {
    S.clear(list);
    skills.forEach(function (name, index) {
      var item = el("li", { "data-skill": name }, el("span", { className: "name", text: name }));
      if (data.canEdit) {
        item.appendChild(el("button", {
          type: "button", className: "remove", "aria-label": "Remove " + name, title: "Remove " + name, text: "×",
          onclick: function () { remove(name, index); }
        }));
      }
      list.appendChild(item);
    });
    list.setAttribute("aria-busy", "false");
    empty.hidden = skills.length > 0;
    count.textContent = skills.length ? "(" + skills.length + ")" : "";
    renderSuggestions();
  }

  function renderSuggestions() {
    if (!suggestions) return;
    var held = new Set(skills.map(S.nameKey));
    S.clear(suggestions);
    catalogue.forEach(function (name) {
      if (!held.has(S.nameKey(name))) suggestions.appendChild(el("option", { value: name }));
    });
  }

  function add(event) {
    event.preventDefault();
    var name = S.cleanName(input.value);
    if (!name) { S.status("Type the name of a skill first.", "error"); input.focus(); return; }
    if (name.length > 100) { S.status("A skill name has at most 100 characters.", "error"); input.focus(); return; }
    form.setAttribute("aria-busy", "true");
    S.status("Adding " + name + "…");
    S.api("PUT", path, { skills: [name] }).then(function (answer) {
      var added = answer.added || [];
      added.forEach(function (stored) { skills.push(stored); });
      render();
      S.status(added.length ? "Added " + added[0] + "." : "Already listed: " + (answer.existing || [name])[0] + ".");
      input.value = "";
    }).catch(function (err) {
      S.status(err.message, "error");
    }).then(function () {
      form.removeAttribute("aria-busy");
      input.focus();
    });
  }

  function remove(name, index) {
    S.status("Removing " + name + "…");
    S.api("DELETE", path, { skills: [name] }).then(function (answer) {
      var gone = new Set((answer.removed || []).concat(answer.missing || []).map(S.nameKey));
      skills = skills.filter(function (skill) { return !gone.has(S.nameKey(skill)); });
      render();
      S.status("Removed " + name + ".");
      // Keep the keyboard where it was: the next skill's remove button, or the field to add one.
      var buttons = list.querySelectorAll("button.remove");
      var next = buttons[Math.min(index, buttons.length - 1)];
      (next || input || document.body).focus();
    }).catch(function (err) { S.status(err.message, "error"); });
  }

  function load() {
    S.status("Loading skills…");
    S.api("GET", path).then(function (answer) {
      skills = answer.skills || [];
      S.status("");
      render();
    }).catch(function (err) { S.status(err.message, "error"); });
    if (data.canEdit) {
      S.api("GET", "/skill-tree").then(function (answer) {
        catalogue = S.skillNodes(answer.skillTree).map(function (node) { return node.key; }).sort(function (a, b) { return a.localeCompare(b); });
        renderSuggestions();
      }).catch(function () { /* suggestions are a help, not a need */ });
    }
    S.lookup(accountId, function (person) {
      S.fillAvatar(document.getElementById("person-avatar"), person, accountId);
      if (!data.own) {
        var who = person ? person.displayName : accountId;
        document.getElementById("person-name").textContent = "Skills of " + who;
        document.title = "Skills of " + who;
      }
    });
  }

  if (form) form.addEventListener("submit", add);
  load();
});
