/* A stand-in for Atlassian's all.js, for browser tests only.
 *
 * The real all.js talks to the Jira page around the iframe; here the test itself plays Jira through
 * the binding `__standInHost(kind, payload)` that Playwright exposes: it signs context tokens with the
 * tenant's shared secret, answers AP.request like Jira's REST API, and records resizes and navigation. */
(function () {
  "use strict";
  function host(kind, payload) {
    if (!window.__standInHost) return Promise.reject(new Error("the test exposed no __standInHost"));
    return window.__standInHost(kind, payload === undefined ? null : payload);
  }

  function getToken(callback) {
    var promise = host("token");
    if (callback) { promise.then(callback, function () { callback(null); }); return undefined; }
    return promise;
  }

  function request(urlOrOptions, more) {
    var options = typeof urlOrOptions === "string" ? Object.assign({ url: urlOrOptions }, more || {}) : urlOrOptions;
    var callbacks = !!(options.success || options.error);
    var promise = host("request", { url: options.url, type: options.type || "GET", data: options.data || null })
      .then(function (answer) {
        var xhr = { status: answer.status, responseText: answer.body, getAllResponseHeaders: function () { return ""; } };
        if (answer.status >= 200 && answer.status < 300) {
          if (options.success) options.success(answer.body, "success", xhr);
          return { body: answer.body, xhr: xhr };
        }
        if (options.error) options.error(xhr, "error", answer.body);
        if (!callbacks) throw { err: answer.body, xhr: xhr };
        return undefined;
      });
    return callbacks ? undefined : promise;
  }

  window.__standInResizes = 0;
  window.AP = {
    context: {
      getToken: getToken,
      getContext: function (callback) { return host("context").then(function (c) { if (callback) callback(c); return c; }); }
    },
    request: request,
    resize: function () { window.__standInResizes += 1; },
    sizeToParent: function () { window.__standInResizes += 1; },
    navigator: {
      go: function (target, context) { host("navigate", { target: target, context: context || {} }); }
    },
    user: {
      getCurrentUser: function (callback) { host("context").then(function (c) { callback({ atlassianAccountId: c.accountId }); }); }
    }
  };
})();
