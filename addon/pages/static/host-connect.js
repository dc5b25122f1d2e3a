/* The host adapter for Atlassian Connect: everything that differs between Jira hosts, over `AP`.
 *
 * The page code (common.js and the pages) never touches AP or @forge/bridge; it calls
 * window.SkillsHost, which both adapters implement (the Forge one is forge/src/host-forge.js):
 *
 *   context()                    -> Promise of the page's context: {viewer, and per page accountId,
 *                                   own, canEdit (user page) or issueKey and issueId (issue panel)}
 *   callApi(method, path, body)  -> Promise of {status, body}: our /api (path after /api), body parsed
 *                                   JSON or null; a rejection only when the call could not be made
 *   getJira(path)                -> Promise of {status, body}: GET on Jira's REST API as the viewer
 *   resize()                     -> fit the frame to the content (where the host does not itself)
 *   navigate(target, params)     -> open another of our pages: "finder", or "user" with {accountId}
 *
 * Here the context comes from the page-data block the server rendered, tokens from
 * AP.context.getToken() (a fresh context JWT per call), Jira answers through AP.request. */
(function () {
  "use strict";
  var dataBlock = document.getElementById("page-data");
  var data = dataBlock ? JSON.parse(dataBlock.textContent) : {};

  function ap() {
    if (!window.AP) throw new Error("Jira's page is not reachable; reload the page.");
    return window.AP;
  }

  function token() {
    return new Promise(function (resolve, reject) {
      ap().context.getToken(function (value) {
        if (value) resolve(value); else reject(new Error("Jira gave no token; reload the page."));
      });
    });
  }

  function parse(text) {
    if (typeof text !== "string") return text === undefined ? null : text;
    try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
  }

  function callApi(method, path, body) {
    return token().then(function (jwt) {
      var init = { method: method, headers: { "Authorization": "JWT " + jwt, "Accept": "application/json" } };
      if (body !== undefined) {
        init.headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return fetch(data.apiBase + path, init);
    }).then(function (response) {
      return response.text().then(function (text) { return { status: response.status, body: parse(text) }; });
    });
  }

  function getJira(path) {
    return new Promise(function (resolve, reject) {
      ap().request({
        url: path,
        type: "GET",
        contentType: "application/json",
        success: function (responseText, status, xhr) {
          resolve({ status: xhr && xhr.status || 200, body: parse(responseText) });
        },
        error: function (xhr) {
          if (xhr && xhr.status) resolve({ status: xhr.status, body: parse(xhr.responseText) });
          else reject(new Error("Jira did not answer."));
        }
      });
    });
  }

  function context() {
    var page = {};
    Object.keys(data).forEach(function (name) {
      if (name !== "apiBase" && name !== "appKey" && name !== "modules") page[name] = data[name];
    });
    return Promise.resolve(page);
  }

  var MODULES = { finder: "finder", user: "user", admin: "admin" };

  function navigate(target, params) {
    var options = { addonKey: data.appKey, moduleKey: data.modules[MODULES[target]] };
    if (params && params.accountId) options.customData = { accountId: params.accountId };
    ap().navigator.go("addonModule", options);
  }

  function resize() { if (window.AP && AP.resize) AP.resize(); }

  window.SkillsHost = { kind: "connect", context: context, callApi: callApi, getJira: getJira,
                        resize: resize, navigate: navigate };
})();
