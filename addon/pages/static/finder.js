/* The expert finder: the skill tree with the number of experts per skill, a filter, and a search for
 * people who hold all of several skills. Built for tens of thousands of people and thousands of skills:
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
  var roots = [];
  var skills = [];               // {name, count, experts (null until fetched), path}
  var skillByKey = new Map();    // nameKey -> skill
  var searched = [];             // skills of the search, in the order added
  var ids = 0;

  function nextId(prefix) { ids += 1; return prefix + ids; }

  /* Each skill once, with the path of categories above it; each category counts the skills below it. */
  function index(nodes) {
    S.walkTree(nodes, function (node, ancestors) {
      if (node.type === "category") { node.skillCount = 0; return; }
      var skill = { name: node.key, count: node.expertCount || 0, experts: null, pending: null,
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
          skill.experts = answer.experts;
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

  /* People, PAGE at a time, with a button for the next page. */
  function peopleList(accountIds, label) {
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
      accountIds.slice(shown, shown + PAGE).forEach(function (id) { list.appendChild(el("li", null, S.person(id))); });
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
          if (!experts.length) box.appendChild(el("p", { className: "empty", text: "No one holds this skill yet." }));
          else box.appendChild(peopleList(experts, "People who know " + skill.name));
          mark("skills:people-drawn");
        }, function (err) {
          S.clear(box);
          box.appendChild(el("p", { className: "status error", role: "alert", text: err.message }));
          box.appendChild(el("button", { type: "button", className: "button button-small", text: "Try again", onclick: fill }));
        }).then(function () { box.setAttribute("aria-busy", "false"); });
      }
      fill();
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

  /* Search: people who hold every skill of the search, once each skill's people are fetched. */
  var searchRound = 0;  // a newer search makes an older one's late answer moot
  function renderSearch() {
    S.clear(searchChips);
    searched.forEach(function (skill, index) {
      searchChips.appendChild(S.chip({ "data-skill": skill.name }, skill.name, "Remove " + skill.name + " from the search",
        "Remove from the search", function () {
          searched.splice(index, 1);
          renderSearch();
          searchInput.focus();
        }));
    });
    S.clear(searchResults);
    searchRound += 1;
    if (!searched.length) { searchResults.setAttribute("aria-busy", "false"); return; }
    var round = searchRound, asked = searched.slice();
    var names = asked.map(function (skill) { return skill.name; }).join(", ");
    searchResults.setAttribute("aria-busy", "true");
    if (asked.some(function (skill) { return !skill.experts; })) searchResults.appendChild(loading("Finding the people with " + names + "…"));
    Promise.all(asked.map(expertsOf)).then(function (lists) {
      if (round !== searchRound) return;
      var holders = lists.slice(1).reduce(function (found, experts) {
        var has = new Set(experts);
        return found.filter(function (id) { return has.has(id); });
      }, lists[0].slice());
      var summary = holders.length
        ? plural(holders.length, "person has", "people have") + (asked.length > 1 ? " all of: " : ": ") + names + "."
        : "No one has " + (asked.length > 1 ? "all of: " : "") + names + ".";
      S.clear(searchResults);
      searchResults.appendChild(el("p", { className: "search-summary", text: summary }));
      if (holders.length) searchResults.appendChild(peopleList(holders, "People with " + names));
    }, function (err) {
      if (round !== searchRound) return;
      S.clear(searchResults);
      searchResults.appendChild(el("p", { className: "status error", role: "alert", text: err.message }));
    }).then(function () { if (round === searchRound) searchResults.setAttribute("aria-busy", "false"); });
  }

  function addToSearch(event) {
    event.preventDefault();
    var name = S.cleanName(searchInput.value);
    if (!name) return;
    var skill = skillByKey.get(S.nameKey(name));
    var searchStatus = document.getElementById("search-status");
    if (!skill) { S.status("No one has a skill called “" + name + "”.", "error", searchStatus); searchInput.focus(); return; }
    S.status("", null, searchStatus);
    if (searched.indexOf(skill) === -1) searched.push(skill);
    searchInput.value = "";
    renderSearch();
    searchInput.focus();
  }

  function load() {
    S.api("GET", "/skill-tree/expert-counts").then(function (answer) {
      roots = answer.skillTree || [];
      index(roots);
      treeBox.setAttribute("aria-busy", "false");
      if (S.data.skill) openSkill(S.data.skill);
      else if (filterInput.value) applyFilter();
      else showTree();
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

  /* Opened for one skill (from the skills at risk): the tree filtered to it, its people shown. */
  function openSkill(name) {
    filterInput.value = name;
    applyFilter();
    var row = Array.prototype.filter.call(treeBox.querySelectorAll("[data-skill]"), function (item) {
      return S.nameKey(item.getAttribute("data-skill")) === S.nameKey(name);
    })[0];
    if (!row) return;
    var toggle = row.querySelector(".toggle");
    toggle.click();
    toggle.focus();
  }

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
