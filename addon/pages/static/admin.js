/* The admin page: edit the skill tree, import and export it, import and export everyone's skills (and
 * their levels) as CSV with a preview, shape the scale of levels, and manage API tokens. Every change
 * goes through the /api routes. */
window.Skills.start("admin", function () {
  "use strict";
  var S = window.Skills, el = S.el, Csv = window.SkillsCsv;
  var MAX_ACCOUNTS = 10000;     // accounts in one bulk request (the API's limit)
  var MAX_BYTES = 4500000;      // and a margin under its 5 MB body limit
  var PREVIEW_ROWS = 200;

  /* Tabs, with arrow keys as WAI-ARIA describes ---------------------------------------------------- */

  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role="tab"]'));
  function selectTab(tab, focus) {
    tabs.forEach(function (other) {
      var selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      document.getElementById(other.getAttribute("aria-controls")).hidden = !selected;
    });
    if (focus) tab.focus();
    S.status("");
    if (tab.id === "tab-tokens") loadTokens();
    if (tab.id === "tab-levels") loadLevels();
  }
  tabs.forEach(function (tab, i) {
    tab.addEventListener("click", function () { selectTab(tab, false); });
    tab.addEventListener("keydown", function (event) {
      var next = { ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: tabs.length - 1 }[event.key];
      if (next === undefined) return;
      event.preventDefault();
      selectTab(tabs[(next + tabs.length) % tabs.length], true);
    });
  });

  /* A destructive action asks once more, inline (no window.confirm in Jira's iframe). */
  function confirmInline(anchor, message, label, onConfirm) {
    var existing = anchor.parentNode.querySelector(".confirm");
    if (existing) existing.remove();
    var box = el("span", { className: "confirm", role: "group", "aria-label": message });
    var yes = el("button", { type: "button", className: "button button-danger button-small", text: label });
    var no = el("button", { type: "button", className: "button button-subtle button-small", text: "Cancel" });
    box.appendChild(el("span", { className: "confirm-text", text: message + " " }));
    box.appendChild(yes);
    box.appendChild(no);
    anchor.insertAdjacentElement("afterend", box);
    yes.focus();
    yes.addEventListener("click", function () { box.remove(); onConfirm(); });
    no.addEventListener("click", function () { box.remove(); anchor.focus(); });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { box.remove(); anchor.focus(); }
    });
  }

  function fail(err) { S.status(err.message, "error"); }

  /* Skill tree ------------------------------------------------------------------------------------ */

  var editor = document.getElementById("tree-editor");
  var looseList = document.getElementById("loose-skills");
  var catalogueList = document.getElementById("catalogue");
  var parentSelect = document.getElementById("new-category-parent");
  var tree = [];
  var categories = [];        // {key, displayName, depth, parentKey, node}
  var collapsed = new Set();  // keys of categories the admin closed
  var focusAfter = null;      // selector to focus once the tree is drawn again
  var firstLoad = true;
  var OPEN_UP_TO = 300;       // skills in a tree that starts open; a bigger one starts collapsed

  /* Every category, parents first, with its depth and parent's key. */
  function categoriesOf(nodes) {
    var out = [];
    S.walkTree(nodes, function (node, ancestors) {
      if (node.type !== "category") return;
      var parent = ancestors[ancestors.length - 1];
      out.push({ key: node.key, displayName: node.displayName, depth: ancestors.length,
                 parentKey: parent ? parent.key : null, node: node });
    });
    return out;
  }

  function skillsOf(node) {
    return (node.children || []).filter(function (n) { return n.type === "skill"; }).map(function (n) { return n.key; });
  }

  function allSkills(nodes) { return S.skillNodes(nodes).map(function (node) { return node.key; }); }

  function descendantsOf(key) {
    var found = new Set([key]);
    categories.forEach(function (c) { if (found.has(c.parentKey)) found.add(c.key); });
    return found;
  }

  function categoryOptions(select, exclude, selected) {
    S.clear(select);
    select.appendChild(el("option", { value: "", text: "(top level)" }));
    categories.forEach(function (c) {
      if (exclude && exclude.has(c.key)) return;
      var option = el("option", { value: c.key, text: "\u00a0\u00a0".repeat(c.depth) + c.displayName });
      if (c.key === selected) option.selected = true;
      select.appendChild(option);
    });
  }

  function loadTree() {
    return S.api("GET", "/skill-tree").then(function (answer) {
      tree = answer.skillTree || [];
      categories = categoriesOf(tree);
      if (firstLoad && allSkills(tree).length > OPEN_UP_TO) categories.forEach(function (c) { collapsed.add(c.key); });
      firstLoad = false;
      renderTree();
    }).catch(fail);
  }

  function change(promise, message, focusSelector) {
    S.status("Saving…");
    return promise.then(function () {
      focusAfter = focusSelector;
      return loadTree().then(function () { S.status(message); });
    }).catch(fail);
  }

  function renderTree() {
    S.clear(editor);
    editor.setAttribute("aria-busy", "false");
    var top = el("ul");
    tree.forEach(function (node) { if (node.type === "category") top.appendChild(categoryBlock(node, tree)); });
    if (!top.children.length) editor.appendChild(el("p", { className: "empty", text: "No categories yet." }));
    editor.appendChild(top);
    S.clear(looseList);
    tree.forEach(function (node) {
      if (node.type === "skill") looseList.appendChild(el("li", { "data-skill": node.key }, el("span", { className: "name", text: node.key })));
    });
    if (!looseList.children.length) looseList.appendChild(el("li", { className: "empty", text: "None" }));
    S.clear(catalogueList);
    allSkills(tree).sort(function (a, b) { return a.localeCompare(b); })
      .forEach(function (name) { catalogueList.appendChild(el("option", { value: name })); });
    categoryOptions(parentSelect, null, parentSelect.value);
    if (focusAfter) {
      var target = editor.querySelector(focusAfter) || document.querySelector(focusAfter);
      if (target) target.focus();
      focusAfter = null;
    }
  }

  function categoryBlock(node, siblingsNodes) {
    var siblings = siblingsNodes.filter(function (n) { return n.type === "category"; });
    var index = siblings.indexOf(node);
    var key = node.key;
    var open = !collapsed.has(key);
    var bodyId = "body-" + key;
    var sel = function (action) { return '[data-key="' + key + '"] > .tree-row [data-action="' + action + '"]'; };
    var skills = skillsOf(node);

    var toggle = el("button", { type: "button", className: "toggle", "aria-expanded": String(open), "aria-controls": bodyId,
      "data-action": "toggle" }, el("span", { className: "category-name", text: node.displayName }),
      el("span", { className: "badge", text: String(skills.length), "aria-label": skills.length + " skills" }));
    var actions = el("span", { className: "actions" });
    function action(name, label, handler, disabled) {
      var button = el("button", { type: "button", className: "button button-subtle button-small", "data-action": name,
        text: label, disabled: disabled, "aria-label": label + " " + node.displayName, onclick: handler });
      actions.appendChild(button);
      return button;
    }
    var row = el("div", { className: "tree-row" }, toggle, actions);
    action("rename", "Rename", function () { renameForm(row, node); });
    action("up", "Move up", function () {
      change(S.api("PATCH", "/skill-tree/categories/" + key, { position: index - 1 }), "Moved " + node.displayName + " up.", sel("up"));
    }, index === 0);
    action("down", "Move down", function () {
      change(S.api("PATCH", "/skill-tree/categories/" + key, { position: index + 1 }), "Moved " + node.displayName + " down.", sel("down"));
    }, index === siblings.length - 1);
    action("move", "Move to…", function () { moveForm(row, node); });
    var del = action("delete", "Delete", function () {
      confirmInline(del, "Delete " + node.displayName + "? Its skills and subcategories move up a level.", "Delete", function () {
        change(S.api("DELETE", "/skill-tree/categories/" + key), "Deleted " + node.displayName + ".", "#new-category-name");
      });
    });

    var body = el("div", { id: bodyId, className: "editor-skills", hidden: !open });
    var chips = el("ul", { className: "chips", "aria-label": "Skills in " + node.displayName });
    skills.forEach(function (skill) {
      chips.appendChild(el("li", { "data-skill": skill }, el("span", { className: "name", text: skill }),
        el("button", { type: "button", className: "remove", text: "×", title: "Take out of " + node.displayName,
          "aria-label": "Take " + skill + " out of " + node.displayName, onclick: function () {
            var rest = skills.filter(function (s) { return s !== skill; });
            change(S.api("PUT", "/skill-tree/categories/" + key + "/skills", { skills: rest }),
              skill + " is in no category now.", '[data-key="' + key + '"] [data-action="place-input"]');
          } })));
    });
    body.appendChild(chips);
    var placeInput = el("input", { type: "text", list: "catalogue", maxlength: "100", "data-action": "place-input",
      "aria-label": "Skill to place in " + node.displayName, placeholder: "Skill to place here" });
    var placeForm = el("form", { className: "field-row", autocomplete: "off" }, placeInput,
      el("button", { type: "submit", className: "button button-small", text: "Place skill" }));
    placeForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var name = S.cleanName(placeInput.value);
      if (!name) { placeInput.focus(); return; }
      change(S.api("PUT", "/skill-tree/categories/" + key + "/skills", { skills: skills.concat([name]) }),
        "Placed " + name + " in " + node.displayName + ".", '[data-key="' + key + '"] [data-action="place-input"]');
    });
    body.appendChild(placeForm);
    var children = el("ul");
    (node.children || []).forEach(function (child) {
      if (child.type === "category") children.appendChild(categoryBlock(child, node.children));
    });
    body.appendChild(children);

    toggle.addEventListener("click", function () {
      var nowOpen = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", String(nowOpen));
      body.hidden = !nowOpen;
      if (nowOpen) collapsed.delete(key); else collapsed.add(key);
    });
    return el("li", { className: "editor-category", "data-key": key, "data-category": node.displayName }, row, body);
  }

  function inlineForm(row, fields, submitLabel, onSubmit) {
    var existing = row.querySelector(".inline-edit");
    if (existing) existing.remove();
    var cancel = el("button", { type: "button", className: "button button-subtle button-small", text: "Cancel" });
    var form = el("form", { className: "field-row inline-edit", autocomplete: "off" });
    fields.forEach(function (field) { form.appendChild(field); });
    form.appendChild(el("button", { type: "submit", className: "button button-primary button-small", text: submitLabel }));
    form.appendChild(cancel);
    function close() { form.remove(); row.querySelector(".toggle").focus(); }
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", function (event) { if (event.key === "Escape") close(); });
    form.addEventListener("submit", function (event) { event.preventDefault(); onSubmit(); });
    row.appendChild(form);
    fields[0].focus();
  }

  function renameForm(row, node) {
    var input = el("input", { type: "text", maxlength: "100", value: node.displayName, "aria-label": "New name for " + node.displayName });
    inlineForm(row, [input], "Save", function () {
      var name = S.cleanName(input.value);
      if (!name) { input.focus(); return; }
      change(S.api("PATCH", "/skill-tree/categories/" + node.key, { displayName: name }), "Renamed to " + name + ".",
        '[data-key="' + node.key + '"] > .tree-row [data-action="rename"]');
    });
    input.select();
  }

  function moveForm(row, node) {
    var parent = categories.filter(function (c) { return c.key === node.key; })[0].parentKey;
    var select = el("select", { "aria-label": "New place for " + node.displayName });
    categoryOptions(select, descendantsOf(node.key), parent);
    inlineForm(row, [select], "Move", function () {
      change(S.api("PATCH", "/skill-tree/categories/" + node.key, { parentKey: select.value || null }),
        "Moved " + node.displayName + ".", '[data-key="' + node.key + '"] > .tree-row [data-action="move"]');
    });
  }

  document.getElementById("new-category-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("new-category-name");
    var name = S.cleanName(input.value);
    if (!name) { input.focus(); return; }
    var body = { displayName: name };
    if (parentSelect.value) body.parentKey = parentSelect.value;
    change(S.api("POST", "/skill-tree/categories", body).then(function () { input.value = ""; }),
      "Created " + name + ".", "#new-category-name");
  });

  /* Tree import and export ------------------------------------------------------------------------ */

  document.getElementById("tree-export").addEventListener("click", function () {
    S.api("GET", "/skill-tree").then(function (answer) {
      S.download("skill-tree.json", JSON.stringify({ skillTree: answer.skillTree }, null, 2) + "\n", "application/json");
      S.status("Exported the skill tree.");
    }).catch(fail);
  });

  var treeJson = document.getElementById("tree-json");
  document.getElementById("tree-file").addEventListener("change", function (event) {
    var file = event.target.files[0];
    if (file) file.text().then(function (text) { treeJson.value = text; S.status("Read " + file.name + "."); });
  });

  var importButton = document.getElementById("tree-import");
  importButton.addEventListener("click", function () {
    var parsed;
    try { parsed = JSON.parse(treeJson.value); } catch (e) { S.status("That is not valid JSON: " + e.message, "error"); return; }
    var nodes = Array.isArray(parsed) ? parsed : parsed && parsed.skillTree;
    if (!Array.isArray(nodes)) { S.status("Expected {\"skillTree\": [...]}, as the export writes it.", "error"); return; }
    confirmInline(importButton, "Replace every category with this tree?", "Replace the tree", function () {
      S.status("Importing…");
      S.api("PUT", "/skill-tree", { skillTree: nodes }).then(function (answer) {
        var stored = answer.skillTree || [];
        S.status("Imported: " + categoriesOf(stored).length + " categories, " + allSkills(stored).length + " skills.");
        return loadTree();
      }).catch(fail);
    });
  });

  /* People's skills as CSV ----------------------------------------------------------------------- */

  var csvResult = document.getElementById("csv-result");
  var progressBox = document.getElementById("csv-progress");
  var progressBar = document.getElementById("csv-progress-bar");
  var progressLabel = document.getElementById("csv-progress-label");

  function progress(label, value, max) {
    progressBox.hidden = label === null;
    if (label === null) return;
    progressLabel.textContent = label;
    if (max) { progressBar.max = max; progressBar.value = value; } else progressBar.removeAttribute("value");
  }

  document.getElementById("csv-export").addEventListener("click", function () {
    S.status("Exporting…");
    Promise.all([S.api("GET", "/skill-levels-by-account"), S.scale()]).then(function (answers) {
      var byAccount = answers[0].levelsByAccountId || {};
      S.download("skills.csv", Csv.fromLevelsByAccount(byAccount, answers[1]), "text/csv");
      S.status("Exported the skills of " + Object.keys(byAccount).length + " people.");
    }).catch(fail);
  });

  function skillCell(names, className) {
    var cell = el("td", { className: className });
    cell.textContent = names.join(", ");
    return cell;
  }

  function named(scale, level) { return S.levelName(scale, level); }

  document.getElementById("csv-preview").addEventListener("click", function () {
    var file = document.getElementById("csv-file").files[0];
    S.clear(csvResult);
    if (!file) { S.status("Choose a CSV file first.", "error"); document.getElementById("csv-file").focus(); return; }
    progress("Reading " + file.name + "…");
    var wanted, scale;
    Promise.all([file.text(), S.scale()]).then(function (read) {
      scale = read[1];
      wanted = Csv.toSkillsByAccount(read[0], scale);
      if (wanted.errors.length) {
        var list = el("ul");
        wanted.errors.slice(0, 20).forEach(function (message) { list.appendChild(el("li", { text: message })); });
        if (wanted.errors.length > 20) list.appendChild(el("li", { text: "and " + (wanted.errors.length - 20) + " more problems" }));
        csvResult.appendChild(el("div", { className: "message message-error", role: "alert" },
          el("p", { text: "Nothing was changed: the file has " + wanted.errors.length + " problem(s)." }), list));
        return null;
      }
      progress("Comparing with the skills stored now…");
      if (wanted.hasLevels) {
        return S.api("GET", "/skill-levels-by-account").then(function (answer) {
          showPreview(Csv.diffLevels(answer.levelsByAccountId || {}, wanted.levelsByAccountId), wanted, scale);
        });
      }
      return S.api("GET", "/skills-by-account").then(function (answer) {
        showPreview(Csv.diff(answer.skillsByAccountId || {}, wanted.skillsByAccountId), wanted, scale);
      });
    }).catch(function (err) {
      csvResult.appendChild(el("p", { className: "message message-error", role: "alert", text: err.message }));
    }).then(function () { progress(null); });
  });

  function showPreview(result, wanted, scale) {
    var changes = result.changes, levels = wanted.hasLevels;
    S.clear(csvResult);
    var added = 0, removed = 0, relevelled = 0;
    changes.forEach(function (c) {
      added += c.added.length; removed += c.removed.length; relevelled += (c.levelChanged || []).length;
    });
    var heading = el("h3", { tabindex: "-1", id: "csv-preview-heading",
      text: changes.length ? "Preview: " + changes.length + (changes.length === 1 ? " person changes" : " people change") +
        " (" + added + " skills added, " + removed + " removed" + (levels ? ", " + relevelled + " levels changed" : "") +
        "); " + result.unchanged + " unchanged."
        : "Nothing to change: everyone in the file already has exactly these skills" + (levels ? " at these levels." : ".") });
    csvResult.appendChild(heading);
    if (changes.length) {
      var head = el("tr", null, el("th", { scope: "col", text: "Person" }), el("th", { scope: "col", text: "Added" }),
        el("th", { scope: "col", text: "Removed" }), levels ? el("th", { scope: "col", text: "Level changes" }) : null);
      var table = el("table", { className: "table", id: "csv-preview-table" },
        el("caption", { className: "visually-hidden", text: "Changes the import makes" }), el("thead", null, head));
      var body = el("tbody");
      changes.slice(0, PREVIEW_ROWS).forEach(function (c) {
        var addedNames = levels ? c.added.map(function (name, i) {
          return c.addedLevels[i] === null ? name : name + " (" + named(scale, c.addedLevels[i]) + ")";
        }) : c.added;
        body.appendChild(el("tr", { "data-account-id": c.accountId }, el("td", null, S.person(c.accountId, { link: false })),
          skillCell(addedNames, "added"), skillCell(c.removed, "removed"),
          levels ? skillCell(c.levelChanged.map(function (change) {
            return change.name + ": " + named(scale, change.from) + " → " + named(scale, change.to);
          }), "relevelled") : null));
      });
      table.appendChild(body);
      csvResult.appendChild(table);
      if (changes.length > PREVIEW_ROWS) {
        csvResult.appendChild(el("p", { className: "subtle", text: "and " + (changes.length - PREVIEW_ROWS) + " more people" }));
      }
      var apply = el("button", { type: "button", className: "button button-primary", id: "csv-apply", text: "Apply changes" });
      var cancel = el("button", { type: "button", className: "button button-subtle", text: "Cancel" });
      apply.addEventListener("click", function () { applyImport(wanted, changes); });
      cancel.addEventListener("click", function () { S.clear(csvResult); S.status("Import cancelled; nothing was changed."); });
      csvResult.appendChild(el("p", { className: "field-row" }, apply, cancel));
    }
    heading.focus();
  }

  function applyImport(wanted, changes) {
    // Only people whose skills change are sent: the bulk routes set exactly the listed people. With a
    // level column, each skill goes with its level; without, the documented route keeps levels as they are.
    var levels = wanted.hasLevels, send = {};
    changes.forEach(function (c) {
      send[c.accountId] = levels ? wanted.levelsByAccountId[c.accountId] : wanted.skillsByAccountId[c.accountId];
    });
    var parts = Csv.batches(send, MAX_ACCOUNTS, MAX_BYTES);
    var totals = { people: 0, added: 0, removed: 0, levels: 0 };
    S.clear(csvResult);
    var step = 0;
    function next() {
      if (step === parts.length) return Promise.resolve();
      progress("Saving part " + (step + 1) + " of " + parts.length + "…", step, parts.length);
      var call = levels ? S.api("POST", "/skill-levels-by-account", { levelsByAccountId: parts[step] })
        : S.api("POST", "/skills-by-account", { skillsByAccountId: parts[step] });
      return call.then(function (answer) {
        var result = answer.changes || {};
        Object.keys(result).forEach(function (id) {
          totals.people++; totals.added += result[id].added.length; totals.removed += result[id].removed.length;
          totals.levels += (result[id].levelChanged || []).length;
        });
        step++;
        return next();
      });
    }
    next().then(function () {
      progress(null);
      csvResult.appendChild(el("p", { className: "message message-success", role: "status", id: "csv-applied",
        text: "Saved. " + totals.people + " people updated: " + totals.added + " skills added, " + totals.removed + " removed" +
          (levels ? ", " + totals.levels + " levels changed." : ".") }));
    }).catch(function (err) {
      progress(null);
      var saved = step ? " The first " + step + " of " + parts.length + " parts were saved; import the file again to finish." : " Nothing was changed.";
      csvResult.appendChild(el("p", { className: "message message-error", role: "alert", text: err.message + saved }));
    });
  }

  /* Levels: the scale, and skills named with a level ----------------------------------------------- */

  var MIN_LEVELS = 2, MAX_LEVELS = 7;
  var scaleForm = document.getElementById("scale-form");
  var scaleRows = document.getElementById("scale-rows");
  var expertSelect = document.getElementById("expert-level");
  var effectBox = document.getElementById("scale-effect");
  var addLevel = document.getElementById("add-level");
  var stored = null;   // the scale as saved
  var draft = [];      // [{name, description}] being edited, lowest first
  var ratings = null;  // level -> holdings at it, asked once a smaller scale is drafted

  function loadLevels(fresh) {
    return S.scale(fresh).then(function (scale) {
      stored = scale;
      draft = scale.levels.map(function (entry) { return { name: entry.name, description: entry.description }; });
      ratings = null;
      renderScale(scale.expertLevel);
      scaleForm.setAttribute("aria-busy", "false");
    }).catch(fail);
  }

  function renderScale(expert, focusSelector) {
    S.clear(scaleRows);
    draft.forEach(function (entry, i) {
      var n = i + 1;
      var name = el("input", { type: "text", maxlength: "100", required: true, "aria-label": "Name of level " + n,
                               "data-field": "name" });
      name.value = entry.name;
      name.addEventListener("input", function () { entry.name = name.value; renderExpert(); showEffect(); });
      var description = el("input", { type: "text", maxlength: "500", className: "description",
                                      "aria-label": "What level " + n + " means", "data-field": "description" });
      description.value = entry.description;
      description.addEventListener("input", function () { entry.description = description.value; });
      var actions = el("td");
      if (n === draft.length && draft.length > MIN_LEVELS) {
        actions.appendChild(el("button", { type: "button", className: "button button-subtle button-small",
          text: "Remove", "aria-label": "Remove level " + n, "data-action": "remove-level", onclick: function () {
            draft.pop();
            renderScale(Math.min(Number(expertSelect.value), draft.length), '[data-action="remove-level"], #add-level');
          } }));
      }
      scaleRows.appendChild(el("tr", { "data-level": String(n) }, el("th", { scope: "row", text: String(n) }),
        el("td", null, name), el("td", null, description), actions));
    });
    addLevel.disabled = draft.length >= MAX_LEVELS;
    renderExpert(expert);
    showEffect();
    if (focusSelector) {
      var target = scaleForm.querySelector(focusSelector);
      if (target) target.focus();
    }
  }

  function renderExpert(expert) {
    var chosen = expert || Number(expertSelect.value) || 1;
    S.clear(expertSelect);
    draft.forEach(function (entry, i) {
      expertSelect.appendChild(el("option", { value: String(i + 1), text: (i + 1) + ". " + (entry.name || "(no name yet)") }));
    });
    expertSelect.value = String(Math.min(chosen, draft.length));
  }

  /* What saving a smaller scale does to the ratings people have, said before it is saved. */
  function showEffect() {
    var top = draft.length;
    if (!stored || top >= stored.levels.length) { effectBox.hidden = true; return; }
    var topName = S.cleanName(draft[top - 1].name) || "level " + top;
    effectBox.hidden = false;
    if (!ratings) {
      effectBox.textContent = "Counting the ratings above level " + top + "…";
      S.api("GET", "/skill-levels-by-account").then(function (answer) {
        ratings = {};
        Object.keys(answer.levelsByAccountId || {}).forEach(function (account) {
          answer.levelsByAccountId[account].forEach(function (held) {
            if (held.level !== null) ratings[held.level] = (ratings[held.level] || 0) + 1;
          });
        });
        showEffect();
      }).catch(function (err) { effectBox.textContent = err.message; });
      return;
    }
    var above = [];
    for (var level = top + 1; level <= stored.levels.length; level++) {
      if (ratings[level]) above.push(ratings[level] + (ratings[level] === 1 ? " rating" : " ratings") + " at " +
                                     stored.levels[level - 1].name + " (level " + level + ")");
    }
    effectBox.textContent = (above.length
      ? "Saving " + top + " levels moves " + above.join(" and ") + " down to " + topName + " (level " + top + ")."
      : "No one is rated above level " + top + ": no rating changes.") +
      " Skills that issues need above level " + top + " will need " + topName + ".";
  }

  addLevel.addEventListener("click", function () {
    if (draft.length >= MAX_LEVELS) return;
    draft.push({ name: "", description: "" });
    renderScale(Number(expertSelect.value), 'tr[data-level="' + draft.length + '"] [data-field="name"]');
  });

  document.getElementById("reset-scale").addEventListener("click", function () {
    if (!stored) return;
    draft = stored.levels.map(function (entry) { return { name: entry.name, description: entry.description }; });
    renderScale(stored.expertLevel);
    S.status("The scale is as saved.");
  });

  scaleForm.addEventListener("submit", function (event) {
    event.preventDefault();
    var names = draft.map(function (entry) { return S.cleanName(entry.name); });
    var empty = names.indexOf("");
    if (empty !== -1) {
      S.status("Level " + (empty + 1) + " needs a name.", "error");
      scaleRows.querySelector('tr[data-level="' + (empty + 1) + '"] [data-field="name"]').focus();
      return;
    }
    var keys = names.map(S.nameKey);
    var twice = keys.findIndex(function (k, i) { return keys.indexOf(k) !== i; });
    if (twice !== -1) {
      S.status("Level " + (twice + 1) + " has the name of level " + (keys.indexOf(keys[twice]) + 1) + "; names must differ.", "error");
      scaleRows.querySelector('tr[data-level="' + (twice + 1) + '"] [data-field="name"]').focus();
      return;
    }
    S.status("Saving…");
    S.api("PUT", "/levels", { levels: draft.map(function (entry, i) { return { name: names[i], description: entry.description }; }),
                              expertLevel: Number(expertSelect.value) }).then(function (scale) {
      return loadLevels(true).then(function () {
        S.status("Saved: " + scale.levels.length + " levels; experts from " + S.levelName(scale, scale.expertLevel) + " up.");
      });
    }).catch(fail);
  });

  var splitResult = document.getElementById("split-result");
  document.getElementById("split-preview").addEventListener("click", function () {
    S.clear(splitResult);
    S.status("Looking for skills named with a level…");
    Promise.all([S.api("POST", "/levels/split-suffixes", { apply: false }), S.scale()]).then(function (answers) {
      var plan = answers[0], scale = answers[1];
      S.status("");
      if (!plan.skills.length) {
        splitResult.appendChild(el("p", { className: "empty", id: "split-none", tabindex: "-1",
          text: "No skill is named with a level of this scale." }));
        splitResult.firstChild.focus();
        return;
      }
      var heading = el("h3", { tabindex: "-1", id: "split-heading", text: plan.skills.length +
        (plan.skills.length === 1 ? " skill becomes a level" : " skills become levels") + "; " +
        plan.holdingsChanged + (plan.holdingsChanged === 1 ? " holding changes." : " holdings change.") });
      var body = el("tbody");
      plan.skills.forEach(function (skill) {
        body.appendChild(el("tr", { "data-skill": skill["from"] }, el("td", { text: skill["from"] }), el("td", { text: skill.to }),
          el("td", null, S.levelBadge(scale, skill.level)), el("td", { text: String(skill.holders) })));
      });
      var apply = el("button", { type: "button", className: "button button-primary", id: "split-apply", text: "Apply" });
      var cancel = el("button", { type: "button", className: "button button-subtle", text: "Cancel" });
      splitResult.appendChild(heading);
      splitResult.appendChild(el("table", { className: "table", id: "split-table" },
        el("caption", { className: "visually-hidden", text: "Skills named with a level, and what they become" }),
        el("thead", null, el("tr", null, el("th", { scope: "col", text: "Skill now" }), el("th", { scope: "col", text: "Becomes" }),
          el("th", { scope: "col", text: "At level" }), el("th", { scope: "col", text: "People" }))), body));
      splitResult.appendChild(el("p", { className: "field-row" }, apply, cancel));
      cancel.addEventListener("click", function () {
        S.clear(splitResult);
        S.status("Nothing was changed.");
        document.getElementById("split-preview").focus();
      });
      apply.addEventListener("click", function () {
        S.status("Saving…");
        S.api("POST", "/levels/split-suffixes", { apply: true }).then(function (done) {
          S.clear(splitResult);
          var message = el("p", { className: "message message-success", role: "status", id: "split-applied", tabindex: "-1",
            text: "Done: " + done.skills.length + (done.skills.length === 1 ? " skill became a level; " : " skills became levels; ") +
              done.holdingsChanged + (done.holdingsChanged === 1 ? " holding changed." : " holdings changed.") });
          splitResult.appendChild(message);
          S.status("");
          message.focus();
          return loadTree();
        }).catch(fail);
      });
      heading.focus();
    }).catch(fail);
  });

  /* API tokens ----------------------------------------------------------------------------------- */

  var tokenRows = document.getElementById("token-rows");
  var newToken = document.getElementById("new-token");
  var newTokenValue = document.getElementById("new-token-value");

  function when(value) { return value ? new Date(value).toLocaleString() : "Never"; }

  function loadTokens() {
    return S.api("GET", "/tokens").then(function (answer) {
      var tokens = answer.tokens || [];
      S.clear(tokenRows);
      tokens.forEach(function (token) {
        var revoke = el("button", { type: "button", className: "button button-small", text: "Revoke",
          "aria-label": "Revoke " + token.name, "data-action": "revoke" });
        revoke.addEventListener("click", function () {
          confirmInline(revoke, "Revoke " + token.name + "? Scripts using it stop working at once.", "Revoke", function () {
            S.api("DELETE", "/tokens/" + encodeURIComponent(token.id)).then(function () {
              S.status("Revoked " + token.name + ".");
              return loadTokens();
            }).then(function () { document.getElementById("token-name").focus(); }).catch(fail);
          });
        });
        tokenRows.appendChild(el("tr", { "data-token-id": token.id }, el("td", { text: token.name }),
          el("td", { text: when(token.createdAt) }), el("td", { text: when(token.lastUsedAt) }), el("td", null, revoke)));
      });
      document.getElementById("token-table").hidden = !tokens.length;
      document.getElementById("no-tokens").hidden = tokens.length > 0;
    }).catch(fail);
  }

  document.getElementById("token-form").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("token-name");
    var name = S.cleanName(input.value);
    if (!name) { input.focus(); return; }
    S.api("POST", "/tokens", { name: name }).then(function (created) {
      input.value = "";
      newTokenValue.value = created.token;
      newToken.hidden = false;
      newTokenValue.focus();
      newTokenValue.select();
      S.status("Created " + created.name + ". Copy the token now: it is not shown again.");
      return loadTokens();
    }).catch(fail);
  });

  document.getElementById("copy-token").addEventListener("click", function () {
    newTokenValue.select();
    var copied = navigator.clipboard ? navigator.clipboard.writeText(newTokenValue.value) : Promise.reject();
    copied.then(function () { S.status("Copied the token."); }, function () {
      S.status("Press Ctrl+C (or ⌘C) to copy the selected token.");
    });
  });

  loadTree();
});
