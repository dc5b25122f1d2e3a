/* The host adapter for Forge Custom UI: window.SkillsHost over @forge/bridge, the same interface as
 * addon/pages/static/host-connect.js (read its header for the contract), so the page code is the
 * Connect pages' code unchanged. forge/build.mjs bundles this first, then skill-names.js, common.js
 * and the page scripts, and defines SKILLS_FORGE_RESOURCE as the resource being built:
 *
 *   global  jira:globalPage: the expert finder at "/", a person's skills at "/person/<accountId>"
 *           (both views' markup is in the page as <template data-page>; the route picks one)
 *   user    jira:personalSettingsPage: the viewer's own skills
 *   panel   jira:issueContext: the assignee's skills of the issue in view
 *   admin   jira:adminPage: tree, CSV and JSON, API tokens (administrators only)
 *
 * Our /api is called with invokeRemote: Forge adds the FIT and, because the manifest's endpoint asks
 * for it, the app system token the backend needs to ask Jira whether the viewer is an admin. */
import { invokeRemote, requestJira, router, view } from "@forge/bridge";

/* global SKILLS_FORGE_RESOURCE */
const RESOURCE = SKILLS_FORGE_RESOURCE;
const GLOBAL_PAGE = "skills";  // the jira:globalPage module key in manifest.yml
const PERSON = /^\/person\/([A-Za-z0-9][A-Za-z0-9:_-]*)\/?$/;  // accountIds, as the server checks them

let history = null;
const changeListeners = [];

function parse(text) {
  if (typeof text !== "string") return text === undefined ? null : text;
  try { return text ? JSON.parse(text) : null; } catch (e) { return null; }
}

async function callApi(method, path, body) {
  const input = { path: "/api" + path, method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    input.headers["Content-Type"] = "application/json";
    input.body = body;
  }
  const answer = await invokeRemote(input);
  // The bridge resolves with {status, headers, body} for an answer of any status.
  if (!answer || typeof answer.status !== "number") throw new Error("The app's server could not be reached.");
  return { status: answer.status, body: parse(answer.body) };
}

async function getJira(path) {
  const response = await requestJira(path, { headers: { Accept: "application/json" } });
  return { status: response.status, body: parse(await response.text()) };
}

/* Whether the viewer may administer: the token list answers administrators only (403 otherwise). */
async function viewerIsAdmin() {
  try { return (await callApi("GET", "/tokens")).status === 200; } catch (e) { return false; }
}

async function userContext(viewer, accountId) {
  const own = accountId === viewer;
  return { viewer, accountId, own, canEdit: own || await viewerIsAdmin() };
}

/* The global page shows one of its views: the template of that page, stamped into the view box. */
function stamp(page) {
  const box = document.getElementById("skills-view");
  const template = document.querySelector('template[data-page="' + page + '"]');
  box.replaceChildren(template.content.cloneNode(true));
}

async function globalContext(viewer) {
  const match = PERSON.exec(history.location.pathname || "/");
  stamp(match ? "user" : "finder");
  if (match) return Object.assign({ page: "user" }, await userContext(viewer, match[1]));
  return { page: "finder", viewer };
}

/* A refused page says why in place of its markup, as the Connect server's error page does. */
function refuse(message) {
  const content = document.querySelector(".ac-content");
  const main = document.createElement("main");
  main.className = "error-page";
  const heading = document.createElement("h1");
  heading.textContent = "This page could not be shown";
  const alert = document.createElement("p");
  alert.className = "message message-error";
  alert.setAttribute("role", "alert");
  alert.textContent = message;
  main.append(heading, alert);
  content.replaceChildren(main);
  const err = new Error(message);
  err.shown = true;
  return err;
}

async function context() {
  const forge = await view.getContext();
  const viewer = forge.accountId;
  if (RESOURCE === "global") {
    history = await view.createHistory();
    history.listen(() => {
      globalContext(viewer).then((next) => changeListeners.forEach((listener) => listener(next)));
    });
    return globalContext(viewer);
  }
  if (RESOURCE === "user") return userContext(viewer, viewer);
  if (RESOURCE === "panel") {
    const issue = forge.extension && forge.extension.issue;
    if (!issue || !issue.key) throw refuse("This panel needs the key of an issue.");
    // The issue's numeric id keys the skills it needs (docs/api.md, "issue-skills").
    const issueId = /^[1-9][0-9]{0,17}$/.test(String(issue.id || "")) ? String(issue.id) : null;
    return { viewer, issueKey: String(issue.key).toUpperCase(), issueId };
  }
  if (RESOURCE === "admin") {
    if (!await viewerIsAdmin()) throw refuse("Only Jira administrators may manage User Skills.");
    return { viewer };
  }
  throw new Error("Unknown resource " + RESOURCE);
}

function navigate(target, params) {
  const path = target === "user" && params && params.accountId
    ? "/person/" + encodeURIComponent(params.accountId) : "/";
  // Inside the global page the route changes in place; elsewhere Jira opens the global page.
  if (history) history.push(path);
  else router.navigate({ target: "module", moduleKey: GLOBAL_PAGE, path });
}

window.SkillsHost = {
  kind: "forge",
  context,
  callApi,
  getJira,
  resize() { /* Forge sizes Custom UI frames to their content itself */ },
  navigate,
  onContextChange(listener) { changeListeners.push(listener); }
};
