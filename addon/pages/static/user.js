/* A person's skills and how well they know each: listed for everyone; added, removed and rated by the
 * person themself or an admin. */
window.Skills.start("user", function (data) {
  "use strict";
  var S = window.Skills, el = S.el;
  var accountId = data.accountId;
  var path = "/user-skills?accountId=" + encodeURIComponent(accountId);
  var levelsPath = "/user-skill-levels?accountId=" + encodeURIComponent(accountId);
  var list = document.getElementById("skill-list");
  var empty = document.getElementById("empty");
  var count = document.getElementById("skill-count");
  var form = document.getElementById("add-skill-form");
  var input = document.getElementById("add-skill-input");
  var levelInput = document.getElementById("add-skill-level");
  var suggestions = document.getElementById("skill-suggestions");
  var skills = [];   // {name, level}, in the order added
  var scale = null;  // the site's levels
  var catalogue = [];

  // One markup for every host: what depends on who is looking is set here, not by the server.
  if (data.own) {
    document.getElementById("person-name").textContent = "My skills";
    document.getElementById("person-subtitle").textContent =
      "The skills you bring, and how well you know each. Colleagues find you by them in the expert finder.";
    empty.textContent = "You have not added any skills yet.";
  }
  if (data.canEdit) {
    form.hidden = false;
    document.getElementById("read-only-note").remove();
  } else {
    form.remove();
    form = input = levelInput = suggestions = null;
    document.getElementById("read-only-note").hidden = false;
  }

  function held(name) {
    var key = S.nameKey(name);
    return skills.filter(function (skill) { return S.nameKey(skill.name) === key; })[0] || null;
  }

  function render() {
    S.clear(list);
    skills.forEach(function (skill, index) {
      var item = el("li", { "data-skill": skill.name }, el("span", { className: "name", text: skill.name }));
      if (data.canEdit) {
        var picker = S.levelSelect(scale, skill.level, { className: "level-select", "data-action": "level",
                                                         "aria-label": "Level of " + skill.name });
        picker.addEventListener("change", function () { setLevel(skill.name, picker); });
        item.appendChild(picker);
        item.appendChild(el("button", {
          type: "button", className: "remove", "aria-label": "Remove " + skill.name, title: "Remove " + skill.name,
          text: "×", onclick: function () { remove(skill.name, index); }
        }));
      } else {
        var badge = S.levelBadge(scale, skill.level);
        if (badge) item.appendChild(badge);
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
    var mine = new Set(skills.map(function (skill) { return S.nameKey(skill.name); }));
    S.clear(suggestions);
    catalogue.forEach(function (name) {
      if (!mine.has(S.nameKey(name))) suggestions.appendChild(el("option", { value: name }));
    });
  }

  /* A picker's level, saved; while one save is on its way the latest choice waits for it, so that
   * arrowing through the levels ends at the level shown whatever order the answers come in. */
  var saving = new Map();  // name key -> {wanted, busy}
  function setLevel(name, picker) {
    var key = S.nameKey(name);
    var state = saving.get(key) || { busy: false };
    state.wanted = S.selectedLevel(picker);
    saving.set(key, state);
    if (!state.busy) send();

    function send() {
      var wanted = state.wanted, body = { levels: {} };
      body.levels[name] = wanted;
      state.busy = true;
      S.api("PATCH", levelsPath, body).then(function () {
        var skill = held(name);
        if (skill) skill.level = wanted;
        if (state.wanted !== wanted) { send(); return; }
        saving.delete(key);
        S.status(name + ": " + S.levelName(scale, wanted) + ".");
      }).catch(function (err) {
        saving.delete(key);
        var skill = held(name);
        picker.value = skill && skill.level !== null ? String(skill.level) : "";
        S.status(err.message, "error");
      });
    }
  }

  function add(event) {
    event.preventDefault();
    // An add sent before the list is read would be drawn, then lost when the older list arrives.
    loaded.then(addNow);
  }

  function addNow() {
    if (!scale) { S.status("This site's levels could not be read; reload the page to add skills.", "error"); return; }
    var name = S.cleanName(input.value);
    var level = S.selectedLevel(levelInput);
    if (!name) { S.status("Type the name of a skill first.", "error"); input.focus(); return; }
    if (name.length > 100) { S.status("A skill name has at most 100 characters.", "error"); input.focus(); return; }
    form.setAttribute("aria-busy", "true");
    S.status("Adding " + name + "…");
    var saved;
    if (level === null) {
      // Unrated: the documented call, which leaves a skill already held as it is.
      saved = S.api("PUT", path, { skills: [name] }).then(function (answer) {
        var added = answer.added || [];
        added.forEach(function (stored) { skills.push({ name: stored, level: null }); });
        return added.length ? "Added " + added[0] + "." : "Already listed: " + (answer.existing || [name])[0] + ".";
      });
    } else {
      var before = held(name);
      var body = { levels: {} };
      body.levels[name] = level;
      saved = S.api("PATCH", levelsPath, body).then(function (answer) {
        skills = answer.skills || [];
        var stored = held(name).name;
        return before ? stored + " is now " + S.levelName(scale, level) + "."
          : "Added " + stored + " (" + S.levelName(scale, level) + ").";
      });
    }
    saved.then(function (message) {
      render();
      S.status(message);
      input.value = "";
      levelInput.value = "";
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
      skills = skills.filter(function (skill) { return !gone.has(S.nameKey(skill.name)); });
      render();
      S.status("Removed " + name + ".");
      // Keep the keyboard where it was: the next skill's remove button, or the field to add one.
      var buttons = list.querySelectorAll("button.remove");
      var next = buttons[Math.min(index, buttons.length - 1)];
      (next || input || document.body).focus();
    }).catch(function (err) { S.status(err.message, "error"); });
  }

  /* The list and the scale; the promise settles once they are drawn (or could not be read). */
  function load() {
    S.status("Loading skills…");
    var read = Promise.all([S.api("GET", levelsPath), S.scale()]).then(function (answers) {
      skills = answers[0].skills || [];
      scale = answers[1];
      if (levelInput) S.fillLevels(levelInput, scale, null);
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
    return read;
  }

  var loaded = load();
  if (form) form.addEventListener("submit", add);
});
