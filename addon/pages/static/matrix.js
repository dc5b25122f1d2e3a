/* The skills matrix: people x the skills of a category, each cell shaded by the person's level, with
 * the scale as its legend. Headers stay in view while the matrix scrolls; the arrow keys move between
 * cells (a WAI-ARIA grid); 200 people a page; the page as CSV. People are everyone who holds a skill
 * of the category, or those picked by name from Jira's user search. */
window.Skills.start("matrix", function () {
  "use strict";
  var S = window.Skills, I = window.SkillsInsights, el = S.el;
  var PAGE = 200;          // people a page: the API's largest
  var MAX_PEOPLE = 200;    // people picked by name: the API's limit
  var select = document.getElementById("matrix-category");
  var form = document.getElementById("matrix-form");
  var search = document.getElementById("matrix-person");
  var results = document.getElementById("matrix-person-results");
  var chips = document.getElementById("matrix-people");
  var everyone = document.getElementById("matrix-everyone");
  var grid = document.getElementById("matrix");
  var head = document.getElementById("matrix-head");
  var body = document.getElementById("matrix-rows");
  var scroller = document.getElementById("matrix-scroll");
  var pager = document.getElementById("matrix-pager");
  var range = document.getElementById("matrix-range");
  var empty = document.getElementById("matrix-empty");
  var statusLine = document.getElementById("status");
  var found = null;        // the scale
  var picked = [];         // [{accountId, displayName}] chosen by name; none: everyone
  var offset = 0;
  var shown = null;        // the matrix answer on screen
  var names = {};          // accountId -> display name, as Jira gave it
  var round = 0;

  function busy(text) {
    statusLine.classList.add("loading");
    S.status(text);
  }

  function done(text, kind) {
    statusLine.classList.remove("loading");
    S.status(text || "", kind);
  }

  /* Categories: each with its path and number of skills; one of more than 200 cannot be a matrix. */
  function fillCategories(tree) {
    S.clear(select);
    var list = I.categories(tree);
    if (!list.length) {
      select.appendChild(el("option", { value: "", text: "No categories yet" }));
      done("The skill tree has no categories yet: an administrator shapes it on the User Skills administration page.");
      return false;
    }
    list.forEach(function (category) {
      var fits = category.skills <= 200;
      select.appendChild(el("option", {
        value: category.key, disabled: !fits,
        text: category.path + " (" + I.plural(category.skills, "skill", "skills") + (fits ? ")" : ": too many, pick a narrower one)")
      }));
    });
    var first = list.filter(function (category) { return category.skills > 0 && category.skills <= 200; })[0];
    select.value = (first || list[0]).key;
    select.disabled = false;
    return true;
  }

  /* The matrix ---------------------------------------------------------------------------------- */

  function load() {
    var mine = ++round;
    var key = select.value;
    if (!key) return;
    busy("Loading the matrix…");
    grid.setAttribute("aria-busy", "true");
    var query = "/insights/matrix?category=" + encodeURIComponent(key) + "&limit=" + PAGE + "&offset=" + offset
      + picked.map(function (p) { return "&accountId=" + encodeURIComponent(p.accountId); }).join("");
    Promise.all([S.api("GET", query), S.scale()]).then(function (answers) {
      if (mine !== round) return;
      var answer = answers[0];
      found = answers[1];
      I.legend(document.getElementById("matrix-legend"), found,
               el("li", null, el("span", { className: "swatch swatch-empty", "aria-hidden": "true" }), "Does not hold it"));
      draw(answer);
      done("");
      I.mark("skills:matrix-drawn");
    }).catch(function (err) {
      if (mine !== round) return;
      done(err.message, "error");
    });
  }

  function draw(answer) {
    shown = answer;
    var top = found.levels.length;
    var category = select.options[select.selectedIndex].textContent.replace(/ \(.*\)$/, "");
    document.getElementById("matrix-caption").textContent = "Skills of " + category + " (columns) for each person (rows)";
    S.clear(head);
    head.appendChild(el("th", { scope: "col", className: "corner", tabindex: "-1", text: "Person" }));
    answer.skills.forEach(function (name) {
      head.appendChild(el("th", { scope: "col", tabindex: "-1", title: name }, el("span", { className: "skill-head", text: name })));
    });
    S.clear(body);
    var fragment = document.createDocumentFragment();
    answer.people.forEach(function (person) {
      var row = el("tr", { "data-account-id": person.accountId });
      var who = S.person(person.accountId, { onFound: function (user) {
        if (user) names[person.accountId] = user.displayName;
      } });
      who.tabIndex = -1;
      row.appendChild(el("th", { scope: "row" }, who));
      answer.skills.forEach(function (name) {
        var held = Object.prototype.hasOwnProperty.call(person.levels, name);
        var level = held ? person.levels[name] : undefined;
        var cell = document.createElement("td");
        cell.tabIndex = -1;
        if (held) {
          cell.className = "shade-" + I.shade(level, top);
          cell.textContent = level === null ? "✓" : String(level);
          cell.title = name + ": " + S.levelName(found, level);
        } else {
          cell.title = name + ": does not hold it";
        }
        row.appendChild(cell);
      });
      fragment.appendChild(row);
    });
    body.appendChild(fragment);
    grid.setAttribute("aria-rowcount", String(answer.total + 1));
    grid.setAttribute("aria-colcount", String(answer.skills.length + 1));
    grid.setAttribute("aria-busy", "false");
    var cells = grid.querySelectorAll("td, th");
    if (cells.length) cells[0].tabIndex = 0;
    var any = answer.people.length > 0 && answer.skills.length > 0;
    scroller.hidden = !any;
    empty.hidden = any;
    empty.textContent = !answer.skills.length ? "This category holds no skills yet."
      : picked.length ? "None of these people holds a skill of this category." : "No one holds a skill of this category yet.";
    pager.hidden = !any;
    var last = offset + answer.people.length;
    range.textContent = answer.total ? "People " + (offset + 1).toLocaleString("en") + "–" + last.toLocaleString("en")
      + " of " + answer.total.toLocaleString("en") : "";
    document.getElementById("matrix-previous").disabled = offset === 0;
    document.getElementById("matrix-next").disabled = last >= answer.total;
    var rest = answer.total - last;
    document.getElementById("matrix-next").textContent = "Next " + (rest > 0 ? Math.min(PAGE, rest) : PAGE);
  }

  /* Keyboard: the arrow keys move between the cells, Home and End to a row's ends (with Ctrl, the
   * grid's), Page Up and Page Down ten rows; each focused cell's title says what it is. */
  grid.addEventListener("keydown", function (event) {
    var cell = event.target.closest("td, th");
    if (!cell || !grid.contains(cell)) return;
    var row = cell.parentNode, rows = Array.prototype.slice.call(grid.rows);
    var r = rows.indexOf(row), c = Array.prototype.indexOf.call(row.cells, cell);
    var lastRow = rows.length - 1, lastCol = row.cells.length - 1;
    var moves = {
      ArrowRight: [r, c + 1], ArrowLeft: [r, c - 1], ArrowDown: [r + 1, c], ArrowUp: [r - 1, c],
      Home: event.ctrlKey ? [0, 0] : [r, 0], End: event.ctrlKey ? [lastRow, lastCol] : [r, lastCol],
      PageDown: [r + 10, c], PageUp: [r - 10, c]
    };
    var to = moves[event.key];
    if (!to) return;
    event.preventDefault();
    var target = rows[Math.max(0, Math.min(lastRow, to[0]))];
    var next = target.cells[Math.max(0, Math.min(target.cells.length - 1, to[1]))];
    grid.querySelectorAll('[tabindex="0"]').forEach(function (node) { node.tabIndex = -1; });
    var focusable = next.querySelector("button") || next;
    focusable.tabIndex = 0;
    focusable.focus();
  });
  // A click on a cell makes it the grid's place for the keyboard.
  grid.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.tabIndex === 0) return;
    grid.querySelectorAll('[tabindex="0"]').forEach(function (node) { node.tabIndex = -1; });
    target.tabIndex = 0;
  });

  document.getElementById("matrix-previous").addEventListener("click", function () {
    offset = Math.max(0, offset - PAGE);
    load();
  });
  document.getElementById("matrix-next").addEventListener("click", function () {
    offset += PAGE;
    load();
  });
  document.getElementById("matrix-csv").addEventListener("click", function () {
    if (!shown) return;
    var lines = [["accountId", "name"].concat(shown.skills)].concat(shown.people.map(function (person) {
      return [person.accountId, names[person.accountId] || ""].concat(shown.skills.map(function (name) {
        if (!Object.prototype.hasOwnProperty.call(person.levels, name)) return "";
        return person.levels[name] === null ? "not rated" : person.levels[name];
      }));
    }));
    var category = select.options[select.selectedIndex].textContent.replace(/ \(.*\)$/, "");
    I.downloadCsv("skills-matrix-" + category.replace(/[^A-Za-z0-9]+/g, "-").toLowerCase() + "-"
                  + (offset + 1) + ".csv", lines);
  });
  select.addEventListener("change", function () { offset = 0; load(); });

  /* People picked by name, from Jira's user search -------------------------------------------- */

  function showPicked() {
    S.clear(chips);
    picked.forEach(function (person, index) {
      chips.appendChild(S.chip({ "data-account-id": person.accountId }, person.displayName,
        "Remove " + person.displayName + " from the matrix", "Remove from the matrix", function () {
          picked.splice(index, 1);
          showPicked();
          offset = 0;
          load();
          search.focus();
        }));
    });
    everyone.hidden = !picked.length;
  }

  function pick(user) {
    if (picked.length >= MAX_PEOPLE) { done("A matrix shows at most " + MAX_PEOPLE + " people picked by name.", "error"); return; }
    if (!picked.some(function (p) { return p.accountId === user.accountId; })) {
      picked.push({ accountId: user.accountId, displayName: user.displayName || user.accountId });
    }
    results.hidden = true;
    S.clear(results);
    search.value = "";
    showPicked();
    offset = 0;
    load();
    search.focus();
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var query = search.value.trim();
    if (!query) return;
    busy("Looking for “" + query + "” in Jira…");
    S.jira("/rest/api/3/user/search?maxResults=20&query=" + encodeURIComponent(query)).then(function (users) {
      S.clear(results);
      var people = (users || []).filter(function (user) { return user && user.accountId && user.accountType !== "app"; });
      people.forEach(function (user) {
        var avatar = el("span", { className: "avatar", "aria-hidden": "true" });
        S.fillAvatar(avatar, { displayName: user.displayName || user.accountId,
                               avatarUrl: (user.avatarUrls || {})["48x48"] || null }, user.accountId);
        results.appendChild(el("li", null, el("button", { type: "button", className: "link-button person",
          "aria-label": "Add " + (user.displayName || user.accountId) + " to the matrix",
          onclick: function () { pick(user); } }, avatar, el("span", { className: "person-name", text: user.displayName || user.accountId }))));
      });
      results.hidden = !people.length;
      done(people.length ? I.plural(people.length, "person", "people") + " found: pick one to add."
        : "No one in Jira matches “" + query + "”.");
      var first = results.querySelector("button");
      if (first) first.focus();
    }, function () { done("Jira could not search for people just now; try again.", "error"); });
  });
  results.addEventListener("keydown", function (event) {
    if (event.key === "Escape") { results.hidden = true; search.focus(); }
  });
  everyone.addEventListener("click", function () {
    picked = [];
    showPicked();
    offset = 0;
    load();
  });

  // Names come from Jira in batches; say so while they do (visually only: it would chatter for a reader).
  var lookupStatus = document.getElementById("lookup-status");
  S.onLookups(function (waiting) {
    lookupStatus.textContent = waiting ? "Looking up " + I.plural(waiting, "person", "people") + " in Jira…" : "";
  });

  busy("Loading the categories…");
  S.api("GET", "/skill-tree").then(function (answer) {
    if (fillCategories(answer.skillTree || [])) load();
  }).catch(function (err) { done(err.message, "error"); });
});
