/* Shared by every page: the page's context, calls to /api and to Jira, people look-ups, the tree walker,
 * DOM helpers. Everything that differs between Jira hosts goes through window.SkillsHost (the host
 * adapter: host-connect.js here, forge/src/host-forge.js in the Forge build); nothing here or in the
 * pages touches AP or the Forge bridge. No framework and no innerHTML: every text reaches the page
 * through textContent. */
(function () {
  "use strict";

  var host = window.SkillsHost;
  var names = window.SkillsNames;
  var data = {};  // the page's context, filled in by start()

  /* DOM ----------------------------------------------------------------------------------------- */

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (name) {
        var value = attrs[name];
        if (value === null || value === undefined || value === false) return;
        if (name === "text") node.textContent = value;
        else if (name === "className") node.className = value;
        else if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
        else node.setAttribute(name, value === true ? "" : value);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child === null || child === undefined || child === false) continue;
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function status(message, kind, target) {
    var node = target || document.getElementById("status");
    if (!node) return;
    node.textContent = message || "";
    node.classList.toggle("error", kind === "error");
  }

  /* The host's frame: size, navigation --------------------------------------------------------- */

  var resizeQueued = false;
  function resize() {
    if (resizeQueued) return;
    resizeQueued = true;
    window.requestAnimationFrame(function () {
      resizeQueued = false;
      host.resize();
    });
  }
  if (window.ResizeObserver) new ResizeObserver(resize).observe(document.body);
  window.addEventListener("load", resize);

  function openUser(accountId) { host.navigate("user", { accountId: accountId }); }

  function openFinder() { host.navigate("finder"); }

  /* Our API and Jira's, through the host; errors become ApiError with the contract's message -------- */

  function ApiError(status, message, body) {
    this.name = "ApiError";
    this.status = status;
    this.message = message;
    this.body = body;
  }
  ApiError.prototype = Object.create(Error.prototype);

  function api(method, path, body) {
    return host.callApi(method, path, body).then(function (answer) {
      var parsed = answer.body;
      if (answer.status === 204) return null;
      if (answer.status < 200 || answer.status > 299) {
        var message = parsed && parsed.message ? parsed.message : "The request failed (" + answer.status + ").";
        if (parsed && parsed.details && parsed.details.length) message += " " + parsed.details.join(" ");
        throw new ApiError(answer.status, message, parsed);
      }
      return parsed;
    });
  }

  /* Jira's REST API, as the viewing user: the parsed answer, or a rejection for anything but 2xx. */
  function jira(path) {
    return host.getJira(path).then(function (answer) {
      if (answer.status < 200 || answer.status > 299) throw new Error("Jira answered " + answer.status);
      return answer.body;
    });
  }

  /* People: display names and avatars from /rest/api/3/user/bulk, in batches, cached ----------- */

  var BATCH = 90;          // account ids in one bulk call, well inside the URL length Jira accepts
  var PARALLEL = 3;        // bulk calls in flight at once
  var people = new Map();  // accountId -> {displayName, avatarUrl} or null when Jira did not say
  var waiting = new Map(); // accountId -> [callbacks]
  var queued = [];
  var inFlight = 0;
  var flushTimer = null;
  var lookupListeners = [];

  function lookup(accountId, callback) {
    if (people.has(accountId)) { callback(people.get(accountId)); return; }
    if (waiting.has(accountId)) { waiting.get(accountId).push(callback); return; }
    waiting.set(accountId, [callback]);
    queued.push(accountId);
    if (!flushTimer) flushTimer = setTimeout(flush, 0);
  }

  function pendingLookups() { return waiting.size; }

  function onLookups(listener) { lookupListeners.push(listener); }

  function settle(accountId, person) {
    people.set(accountId, person);
    var callbacks = waiting.get(accountId) || [];
    waiting.delete(accountId);
    callbacks.forEach(function (cb) { cb(person); });
  }

  function flush() {
    flushTimer = null;
    while (inFlight < PARALLEL && queued.length) {
      var batch = queued.splice(0, BATCH);
      inFlight++;
      fetchBatch(batch).then(done, done);
    }
    lookupListeners.forEach(function (listener) { listener(waiting.size); });
    function done() {
      inFlight--;
      if (queued.length && !flushTimer) flushTimer = setTimeout(flush, 0);
      lookupListeners.forEach(function (listener) { listener(waiting.size); });
    }
  }

  function fetchBatch(batch) {
    var query = batch.map(function (id) { return "accountId=" + encodeURIComponent(id); }).join("&");
    return jira("/rest/api/3/user/bulk?maxResults=" + BATCH + "&" + query).then(function (page) {
      var found = {};
      (page && page.values || []).forEach(function (user) {
        if (!user || !user.accountId) return;
        var avatars = user.avatarUrls || {};
        found[user.accountId] = {
          displayName: user.displayName || user.accountId,
          avatarUrl: avatars["48x48"] || avatars["32x32"] || avatars["24x24"] || null
        };
      });
      batch.forEach(function (id) { settle(id, found[id] || null); });
    }, function () {
      // Jira would not say (privacy settings, a deleted account, a failure): show the account id.
      batch.forEach(function (id) { settle(id, null); });
    });
  }

  function initials(name) {
    var parts = String(name).trim().split(/\s+/).filter(Boolean);
    var letters = parts.length > 1 ? parts[0][0] + parts[parts.length - 1][0] : (parts[0] || "?").slice(0, 2);
    return letters.toUpperCase();
  }

  function fillAvatar(node, person, accountId) {
    clear(node);
    if (person && person.avatarUrl) node.appendChild(el("img", { src: person.avatarUrl, alt: "" }));
    else node.textContent = initials(person ? person.displayName : "?");
    node.title = person ? person.displayName : accountId;
  }

  /* An element that shows a person: filled in when the look-up answers, the account id until then. */
  function person(accountId, options) {
    options = options || {};
    var avatar = el("span", { className: "avatar" + (options.large ? " avatar-large" : ""), "aria-hidden": "true" });
    var name = el("span", { className: "person-name", text: accountId });
    var node = options.link === false
      ? el("span", { className: "person-row", "data-account-id": accountId }, avatar, name)
      : el("button", { type: "button", className: "link-button", "data-account-id": accountId,
                       onclick: function () { openUser(accountId); } }, avatar, name);
    node.classList.add("person");
    lookup(accountId, function (found) {
      name.textContent = found ? found.displayName : accountId;
      if (!found) node.classList.add("unknown-person");
      fillAvatar(avatar, found, accountId);
      if (options.onFound) options.onFound(found);
    });
    return node;
  }

  /* The skill tree: one walker for every page ----------------------------------------------------- */

  /* Visits every node depth-first, parents before children: visit(node, ancestors, siblings), where
   * ancestors are the categories above the node (outermost first) and siblings the list it is in. */
  function walkTree(nodes, visit, ancestors) {
    ancestors = ancestors || [];
    (nodes || []).forEach(function (node) {
      visit(node, ancestors, nodes);
      if (node.type === "category") walkTree(node.children, visit, ancestors.concat([node]));
    });
  }

  /* The skill leaves of a tree, in tree order. */
  function skillNodes(nodes) {
    var out = [];
    walkTree(nodes, function (node) { if (node.type === "skill") out.push(node); });
    return out;
  }

  /* A page's script starts once the host has said what the page shows (Connect: at once; Forge:
   * asynchronously). A host whose page holds several views (Forge's global page) names the one to
   * show in `context.page`, and says when the route shows another: that view's script runs again. */
  var started = null;
  var mains = {};

  function useContext(context) {
    Object.keys(data).forEach(function (name) { delete data[name]; });
    Object.keys(context).forEach(function (name) { data[name] = context[name]; });
    return data;
  }

  function run(name) {
    if (data.page && data.page !== name) return;
    mains[name](data);
  }

  function start(name, main) {
    mains[name] = main;
    if (!started) {
      started = host.context().then(useContext);
      if (host.onContextChange) {
        host.onContextChange(function (context) {
          useContext(context);
          Object.keys(mains).forEach(run);
        });
      }
    }
    started.then(function () { run(name); }, function (err) {
      if (!err.shown) status(err.message || String(err), "error");
    });
  }

  /* Levels: the site's scale (GET /api/levels), asked once per page ------------------------------- */

  var scaleAsked = null;
  function scale(fresh) {
    if (!scaleAsked || fresh) {
      scaleAsked = api("GET", "/levels").catch(function (err) { scaleAsked = null; throw err; });
    }
    return scaleAsked;
  }

  /* A level's name ("Not rated" for null), as people read it. */
  function levelName(scale, level) {
    if (level === null || level === undefined) return "Not rated";
    var entry = scale.levels[level - 1];
    return entry ? entry.name : "Level " + level;
  }

  /* A lozenge naming a level; levels that count as expert stand out. Null: nothing (not rated). */
  function levelBadge(scale, level) {
    if (level === null || level === undefined) return null;
    var entry = scale.levels[level - 1];
    return el("span", { className: "lozenge" + (level >= scale.expertLevel ? " lozenge-expert" : ""),
                        "data-level": String(level), title: entry && entry.description ? entry.description : null,
                        text: levelName(scale, level) });
  }

  /* A native <select> of the scale's levels with "Not rated" first: arrow keys, type-ahead and screen
   * readers work as everywhere else. Its value is "" or the level's number. */
  function levelSelect(scale, level, attrs) { return fillLevels(el("select", attrs), scale, level); }

  /* `select`'s options made "Not rated" and the scale's levels, `level` chosen. */
  function fillLevels(select, scale, level) {
    clear(select);
    select.appendChild(el("option", { value: "", text: "Not rated" }));
    scale.levels.forEach(function (entry) {
      select.appendChild(el("option", { value: String(entry.level), text: entry.name, title: entry.description || null }));
    });
    select.value = level === null || level === undefined ? "" : String(level);
    return select;
  }

  function selectedLevel(select) { return select.value === "" ? null : Number(select.value); }

  function download(filename, text, type) {
    var url = URL.createObjectURL(new Blob([text], { type: type }));
    var link = el("a", { href: url, download: filename, className: "visually-hidden" });
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(url); link.remove(); }, 1000);
  }

  window.Skills = {
    data: data, start: start, el: el, clear: clear, status: status, resize: resize, api: api, jira: jira,
    ApiError: ApiError, lookup: lookup, person: person, fillAvatar: fillAvatar, pendingLookups: pendingLookups,
    onLookups: onLookups, openUser: openUser, openFinder: openFinder, cleanName: names.cleanName,
    nameKey: names.nameKey, walkTree: walkTree, skillNodes: skillNodes, download: download, BATCH: BATCH,
    scale: scale, levelName: levelName, levelBadge: levelBadge, levelSelect: levelSelect, fillLevels: fillLevels,
    selectedLevel: selectedLevel
  };
})();
