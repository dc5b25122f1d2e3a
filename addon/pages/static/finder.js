/* The expert finder: the skill tree with the number of experts per skill, a filter, a level people
 * must have at least to be listed under a skill, and a search that ranks people by how many of
 * several skills they meet (each with a minimum level), levels shown. Built for tens of thousands of people and thousands of skills:
 * the page loads the tree with counts only (its size follows the skills, not the people), a skill's
 * people are fetched when it is opened or searched for, categories start collapsed, and people are
 * drawn PAGE at a time. */
window.Skills.start("finder", function () {
  "use strict";
  var S = window.Skills, el = S.el;
  var PAGE = 60;           // people drawn at once under a skill or in the search results
  var FILTER_LIMIT = 200;  // skills listed for a filter before asking for a narrower one
  var treeBox = document.getElementById("tree");
  var filterInput = document.getElementById("filter-input");
  var searchForm = document.getElementById("search-form");
  var searchInput = document.getElementById("search-input");
  var searchChips = document.getElementById("search-skills");
  var searchResults = document.getElementById("search-results");
  var levelFilter = document.getElementById("level-filter");
  var roots = [];
  var skills = [];               // {name, count, experts and levels (null until fetched), path}
  var skillByKey = new Map();    // nameKey -> skill
  var searched = [];             // {skill, minLevel} of the search, in the order added
  var scale = null;              // the site's levels
  var minLevel = null;           // the level a skill's people must have at least; null: any, the unrated too
  var shownPanels = [];          // {box, fill} of the skills opened: drawn again when the level changes
  var ids = 0;

  function nextId(prefix) { ids += 1; return prefix + ids; }

  /* Each skill once, with the path of categories above it; each category counts the skills below it. */
  function index(nodes) {
    S.walkTree(nodes, function (node, ancestors) {
      if (node.type === "category") { node.skillCount = 0; return; }
      var skill = { name: node.key, count: node.expertCount || 0, experts: null, levels: null, pending: null,
                    path: ancestors.map(function (category) { return category.displayName; }) };
      node.skill = skill;
      skills.push(skill);
      skillByKey.set(S.nameKey(node.key), skill);
      ancestors.forEach(function (category) { category.skillCount += 1; });
    });
  }

  /* When a result was drawn, for the page's own timing (the benchmark reads these marks). */
  function mark(name) {
    if (window.performance && performance.mark) performance.mark(name);
  }

  function plural(n, one, many) { return n + " " + (n === 1 ? one : many); }

  /* A skill's people, fetched once (a failed fetch is tried again next time). Every row of the skill
   * shows the count the fetch found: someone may have added it since the tree was loaded. */
  function expertsOf(skill) {
    if (skill.experts) return Promise.resolve(skill.experts);
    if (!skill.pending) {
      skill.pending = S.api("GET", "/skill-tree/skill-experts?skill=" + encodeURIComponent(skill.name))
        .catch(function (err) {
          if (err.status === 404) return { experts: [] };  // no longer held by anyone, nor in the tree
          throw err;
        })
        .then(function (answer) {
          skill.experts = answer.experts;  // highest level first, the unrated last
          skill.levels = answer.levels || {};
          skill.count = answer.experts.length;
          document.querySelectorAll("[data-skill]").forEach(function (item) {
            var badge = item.getAttribute("data-skill") === skill.name && item.querySelector(".badge");
            if (badge) { badge.textContent = String(skill.count); badge.setAttribute("aria-label", plural(skill.count, "person", "people")); }
          });
          return skill.experts;
        }, function (err) { skill.pending = null; throw err; });
    }
    return skill.pending;
  }

  function loading(text) {
    return el("p", { className: "status loading", role: "status", text: text });
  }

  /* Whether the account has the skill at the level asked for (fetched skills only). */
  function meets(skill, accountId) {
    var level = skill.levels ? skill.levels[accountId] : null;
    return minLevel === null || (level !== null && level !== undefined && level >= minLevel);
  }

  function atLeast() { return "at " + S.levelName(scale, minLevel) + " or above"; }

  /* People, PAGE at a time, with a button for the next page; with `levels`, each one's level. */
  function peopleList(accountIds, label, levels) {
    var box = el("div");
    var list = el("ul", { className: "people", "aria-label": label });
    var shown = 0;
    var more = el("button", { type: "button", className: "button button-small more" });
    more.addEventListener("click", function () {
      var first = shown;
      showMore();
      var next = list.children[first];
      if (next) next.querySelector("button").focus();  // the keyboard goes on where the new people start
    });
    function showMore() {
      accountIds.slice(shown, shown + PAGE).forEach(function (id) {
        list.appendChild(el("li", null, S.person(id), levels && scale ? S.levelBadge(scale, levels[id]) : null));
      });
      shown = Math.min(accountIds.length, shown + PAGE);
      var left = accountIds.length - shown;
      more.hidden = left <= 0;
      more.textContent = "Show " + Math.min(PAGE, left) + " more of " + left;
    }
    box.appendChild(list);
    box.appendChild(more);
    showMore();
    return box;
  }

  /* A row that opens and closes what is below it, drawn only the first time it opens. */
  function disclosure(label, badge, badgeLabel, build, extra) {
    var item = el("li");
    var panelId = nextId("d");
    var button = el("button", { type: "button", className: "toggle", "aria-expanded": "false", "aria-controls": panelId },
      label, el("span", { className: "badge", text: String(badge), "aria-label": badgeLabel }));
    var row = el("div", { className: "tree-row" }, button, extra || null);
    var panel = null;
    button.addEventListener("click", function () {
      var open = button.getAttribute("aria-expanded") !== "true";
      button.setAttribute("aria-expanded", String(open));
      if (open && !panel) {
        panel = build();
        panel.id = panelId;
        item.appendChild(panel);
      }
      if (panel) panel.hidden = !open;
    });
    item.appendChild(row);
    return item;
  }

  function skillItem(skill, withPath) {
    var n = skill.count;
    var label = el("span", null, el("span", { className: "skill-name", text: skill.name }),
      withPath && skill.path.length ? el("span", { className: "path", text: "  " + skill.path.join(" › ") }) : null);
    var item = disclosure(label, n, plural(n, "person", "people"), function () {
      var box = el("div", { className: "experts" });
      function fill() {
        S.clear(box);
        box.setAttribute("aria-busy", "true");
        box.appendChild(loading("Loading the people who know " + skill.name + "…"));
        expertsOf(skill).then(function (experts) {
          S.clear(box);
          var shown = minLevel === null ? experts : experts.filter(function (id) { return meets(skill, id); });
          if (!experts.length) box.appendChild(el("p", { className: "empty", text: "No one holds this skill yet." }));
          else if (!shown.length) box.appendChild(el("p", { className: "empty", text: "No one holds " + skill.name + " " + atLeast() + "." }));
          else {
            if (minLevel !== null) {
              box.appendChild(el("p", { className: "subtle level-summary", text: plural(shown.length, "person", "people") +
                " of " + experts.length + " " + atLeast() + "." }));
            }
            box.appendChild(peopleList(shown, "People who know " + skill.name, skill.levels));
          }
          mark("skills:people-drawn");
        }, function (err) {
          S.clear(box);
          box.appendChild(el("p", { className: "status error", role: "alert", text: err.message }));
          box.appendChild(el("button", { type: "button", className: "button button-small", text: "Try again", onclick: fill }));
        }).then(function () { box.setAttribute("aria-busy", "false"); });
      }
      fill();
      shownPanels.push({ box: box, fill: fill });
      return box;
    });
    item.setAttribute("data-skill", skill.name);
    return item;
  }

  function categoryItem(node) {
    var item = disclosure(el("span", { className: "category-name", text: node.displayName }), node.skillCount,
      plural(node.skillCount, "skill", "skills"), function () { return branch(node.children || []); });
    item.setAttribute("data-category", node.displayName);
    return item;
  }

  function branch(nodes) {
    var list = el("ul");
    nodes.forEach(function (node) {
      list.appendChild(node.type === "skill" ? skillItem(node.skill, false) : categoryItem(node));
    });
    return list;
  }

  function showTree() {
    S.clear(treeBox);
    if (!roots.length) {
      treeBox.appendChild(el("p", { className: "empty", text: "No skills yet. People add theirs from “My skills” in their profile menu." }));
    } else {
      treeBox.appendChild(branch(roots));
    }
    S.status(plural(skills.length, "skill", "skills") + " in the tree.");
  }

  function applyFilter() {
    var query = S.nameKey(filterInput.value);
    if (!query) { showTree(); return; }
    var matches = skills.filter(function (skill) { return S.nameKey(skill.name).indexOf(query) !== -1; });
    S.clear(treeBox);
    var list = el("ul");
    matches.slice(0, FILTER_LIMIT).forEach(function (skill) { list.appendChild(skillItem(skill, true)); });
    treeBox.appendChild(list);
    if (!matches.length) S.status("No skill matches “" + filterInput.value.trim() + "”.");
    else if (matches.length > FILTER_LIMIT) S.status(matches.length + " skills match; the first " + FILTER_LIMIT + " are shown. Type more to narrow them down.");
    else S.status(plural(matches.length, "skill matches", "skills match") + ".");
  }

  /* Search: the people ranked by the skills of the search (each with a minimum level) they meet, most
   * skills first, then the higher levels; each says why it ranks there. */
  var MATCH_LIMIT = 50;
  var searchRound = 0;  // a newer search makes an older one's late answer moot
  function renderSearch() {
    S.clear(searchChips);
    searched.forEach(function (entry, index) {
      var picker = S.match.levelPicker(scale, entry.minLevel, "Minimum level of " + entry.skill.name);
      picker.addEventListener("change", function () { entry.minLevel = S.match.pickedLevel(picker); renderSearch(); });
      searchChips.appendChild(el("li", { "data-skill": entry.skill.name }, el("span", { className: "name", text: entry.skill.name }),
        picker,
        el("button", { type: "button", className: "remove", "aria-label": "Remove " + entry.skill.name + " from the search",
          title: "Remove from the search", text: "×", onclick: function () {
            searched.splice(index, 1);
            renderSearch();
            searchInput.focus();
          } })));
    });
    S.clear(searchResults);
    searchRound += 1;
    if (!searched.length) { searchResults.setAttribute("aria-busy", "false"); return; }
    var round = searchRound;
    var asked = searched.map(function (entry) { return { name: entry.skill.name, minLevel: entry.minLevel }; });
    var names = asked.map(function (skill) { return skill.name; }).join(", ");
    searchResults.setAttribute("aria-busy", "true");
    searchResults.appendChild(loading("Finding the people with " + names + "…"));
    S.api("POST", "/match", { skills: asked, limit: MATCH_LIMIT }).then(function (answer) {
      if (round !== searchRound) return;
      S.clear(searchResults);
      searchResults.appendChild(el("p", { className: "search-summary", text: summary(answer) }));
      if (answer.people.length) searchResults.appendChild(S.match.rankedList(answer, scale, "People for " + names, false));
    }, function (err) {
      if (round !== searchRound) return;
      S.clear(searchResults);
      searchResults.appendChild(el("p", { className: "status error", role: "alert", text: err.message }));
    }).then(function () { if (round === searchRound) searchResults.setAttribute("aria-busy", "false"); });
  }

  /* "3 people match; 1 has all of: Python, Go." in words, from the ranked answer (at most MATCH_LIMIT
   * people: past that, how many more there are is not known, and the summary says only what is shown). */
  function summary(answer) {
    var names = answer.skills.map(function (skill) { return skill.name; });
    // One minimum for every skill (the Level filter sets it) is said once; mixed ones show on the chips.
    var floors = answer.skills.map(function (skill) { return skill.minLevel === undefined ? null : skill.minLevel; });
    var floor = floors.every(function (level) { return level === floors[0]; }) ? floors[0] : null;
    var at = floor === null ? "" : " at " + S.levelName(scale, floor) + " or above";
    var people = answer.people;
    var full = people.length === MATCH_LIMIT;
    if (!people.length) return "No one has " + (names.length > 1 ? "any of: " : "") + names.join(", ") + at + ".";
    if (names.length === 1) {
      return full ? "The first " + MATCH_LIMIT + " people with " + names[0] + at + " are shown, highest levels first."
        : plural(people.length, "person has", "people have") + " " + names[0] + at + ".";
    }
    var all = people.filter(function (person) { return !person.missing.length; }).length;
    var head = full ? "The best " + MATCH_LIMIT + " matches are shown" : plural(people.length, "person matches", "people match");
    var tail = full && all === people.length ? "each has" : all ? plural(all, "has", "have") : "none has";
    return head + "; " + tail + " all of: " + names.join(", ") + at + ".";
  }

  function addToSearch(event) {
    event.preventDefault();
    var name = S.cleanName(searchInput.value);
    if (!name) return;
    var skill = skillByKey.get(S.nameKey(name));
    var searchStatus = document.getElementById("search-status");
    if (!skill) { S.status("No one has a skill called “" + name + "”.", "error", searchStatus); searchInput.focus(); return; }
    S.status("", null, searchStatus);
    if (!searched.some(function (entry) { return entry.skill === skill; })) searched.push({ skill: skill, minLevel: minLevel });
    searchInput.value = "";
    S.scale().then(function (found) { scale = found; renderSearch(); });
    searchInput.focus();
  }

  function load() {
    S.scale().then(function (found) { scale = found; });
    S.api("GET", "/skill-tree/expert-counts").then(function (answer) {
      roots = answer.skillTree || [];
      index(roots);
      treeBox.setAttribute("aria-busy", "false");
      if (filterInput.value) applyFilter(); else showTree();
      mark("skills:tree-drawn");
      // The search's suggestions after the tree is drawn: 2,000 options sorted and added cost a few
      // hundred milliseconds of a first visit that the tree need not wait for.
      setTimeout(function () {
        var datalist = document.getElementById("all-skills");
        var fragment = document.createDocumentFragment();
        skills.map(function (skill) { return skill.name; }).sort(new Intl.Collator().compare)
          .forEach(function (name) { fragment.appendChild(el("option", { value: name })); });
        datalist.appendChild(fragment);
      }, 0);
    }).catch(function (err) { S.status(err.message, "error"); });
  }

  /* The level filter: its options once the scale is known; a change draws the people shown again. */
  S.scale().then(function (answer) {
    scale = answer;
    answer.levels.forEach(function (entry) {
      levelFilter.appendChild(el("option", { value: String(entry.level), text: "At least " + entry.name }));
    });
  }).catch(function (err) { S.status(err.message, "error"); });
  levelFilter.addEventListener("change", function () {
    minLevel = levelFilter.value === "" ? null : Number(levelFilter.value);
    shownPanels = shownPanels.filter(function (panel) { return panel.box.isConnected; });
    shownPanels.forEach(function (panel) { panel.fill(); });
    // The search takes the filter as every skill's minimum (each chip can still change its own).
    searched.forEach(function (entry) { entry.minLevel = minLevel; });
    if (searched.length) renderSearch();
  });

  var filterTimer = null;
  filterInput.addEventListener("input", function () {
    clearTimeout(filterTimer);
    filterTimer = setTimeout(applyFilter, 150);
  });
  searchForm.addEventListener("submit", addToSearch);
  // Names come from Jira in batches; say so while they do (visually only: it would chatter for a reader).
  var lookupStatus = document.getElementById("lookup-status");
  S.onLookups(function (waiting) {
    lookupStatus.textContent = waiting ? "Looking up " + waiting + (waiting === 1 ? " person" : " people") + " in Jira…" : "";
  });
  document.getElementById("my-skills-link").addEventListener("click", function (event) {
    event.preventDefault();
    S.openUser(S.data.viewer);
  });
  load();
});
