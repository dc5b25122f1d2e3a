/* The host adapter for the demo (`scripts/run --demo`): window.SkillsHost without Jira, the same
 * interface as addon/pages/static/host-connect.js (read its header for the contract), so the pages
 * run their own code unchanged. Jira's part is played by the demo's server (addon/demo):
 *
 *   context()   the page-data block the server rendered (who is signed in, and what the page shows)
 *   callApi()   our real /api, with a Connect context JWT the demo signs for the signed-in person
 *               (POST /demo/token), as Jira's AP.context.getToken() gives one; kept until near expiry
 *   getJira()   GET /demo/jira/<path>: the demo's stand-in for Jira's REST API, as that person
 *   navigate()  opens the demo's shell at the other page, for the same person
 *   resize()    fits the shell's iframe to the page, as Jira does for a Connect iframe */
(function () {
  "use strict";
  var dataBlock = document.getElementById("page-data");
  var data = dataBlock ? JSON.parse(dataBlock.textContent) : {};
  var cached = null;  // {jwt, until}

  function parse(text) {
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }

  function token() {
    if (cached && cached.until > Date.now()) return Promise.resolve(cached.jwt);
    return fetch(data.demoBase + "/token", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ accountId: data.viewer })
    }).then(function (response) {
      return response.json().then(function (answer) {
        if (!response.ok) throw new Error(answer && answer.message || "The demo gave no token; reload the page.");
        cached = { jwt: answer.token, until: Date.now() + (answer.expiresIn - 60) * 1000 };
        return cached.jwt;
      });
    });
  }

  function send(url, method, body) {
    return token().then(function (jwt) {
      var init = { method: method, headers: { "Authorization": "JWT " + jwt, "Accept": "application/json" } };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(url, init);
    }).then(function (response) {
      return response.text().then(function (text) { return { status: response.status, body: parse(text) }; });
    });
  }

  function callApi(method, path, body) { return send(data.apiBase + path, method, body); }

  function getJira(path) { return send(data.demoBase + "/jira" + path, "GET"); }

  function context() {
    var page = {};
    Object.keys(data).forEach(function (name) {
      if (name !== "apiBase" && name !== "demoBase") page[name] = data[name];
    });
    return Promise.resolve(page);
  }

  function navigate(target, params) {
    var query = "?as=" + encodeURIComponent(data.viewer);
    if (params && params.accountId) query += "&accountId=" + encodeURIComponent(params.accountId);
    window.top.location.href = data.demoBase + "/" + target + query;
  }

  /* The page's own height (not scrollHeight, which is never less than the frame's): the frame
   * shrinks again when the page does. */
  function resize() {
    var frame = window.frameElement;
    if (frame) frame.style.height = Math.ceil(document.documentElement.getBoundingClientRect().height) + "px";
  }

  window.SkillsHost = { kind: "demo", context: context, callApi: callApi, getJira: getJira,
                        resize: resize, navigate: navigate };
})();
