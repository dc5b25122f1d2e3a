/* A stand-in for @forge/bridge, for browser tests only: forge/build.mjs --bridge bundles it in place of
 * the real one. The test plays Forge through the binding `__forgeHost(kind, payload)` that Playwright
 * exposes: "fit" gives a Forge Invocation Token the test signed with its own RSA key (and the system
 * token Forge would add), "context" the view context, "requestJira" Jira's REST answers from fixture
 * data, "navigate" records router calls. invokeRemote sends real HTTP to the running app's /api with
 * Authorization: Bearer <FIT>, as Forge's proxy would; the pages are served from the app's origin. */
function host(kind, payload) {
  if (!window.__forgeHost) return Promise.reject(new Error("the test exposed no __forgeHost"));
  return window.__forgeHost(kind, payload === undefined ? null : payload);
}

export async function invokeRemote(input) {
  const { token, systemToken, baseUrl } = await host("fit");
  const headers = Object.assign({}, input.headers || {}, { Authorization: "Bearer " + token });
  if (systemToken) headers["x-forge-oauth-system"] = systemToken;
  const init = { method: input.method, headers };
  if (input.body !== undefined) init.body = JSON.stringify(input.body);
  const response = await fetch(baseUrl + input.path, init);
  const text = await response.text();
  let body;
  try { body = text ? JSON.parse(text) : undefined; } catch (e) { body = undefined; }
  const answerHeaders = {};
  response.headers.forEach((value, name) => { answerHeaders[name] = value; });
  return { status: response.status, headers: answerHeaders, body };
}

export async function requestJira(path, options) {
  const answer = await host("requestJira", { path, method: (options && options.method) || "GET" });
  return new Response(answer.body, { status: answer.status, headers: { "Content-Type": "application/json" } });
}

export const router = {
  navigate: (location) => host("navigate", { how: "navigate", location }),
  open: (location) => host("navigate", { how: "open", location }),
};

/* The global page's route, as Forge's history object gives it: location.pathname, push, listen. */
function memoryHistory(pathname) {
  const listeners = [];
  const history = {
    location: { pathname },
    push(path) {
      history.location = { pathname: path };
      host("navigate", { how: "history", location: path });
      listeners.forEach((listener) => listener(history.location));
    },
    listen(listener) {
      listeners.push(listener);
      return () => listeners.splice(listeners.indexOf(listener), 1);
    },
  };
  return history;
}

export const view = {
  getContext: () => host("context"),
  createHistory: async () => memoryHistory((await host("context")).route || "/"),
};
