"use strict";
// The benchmark's peer: the add-on's hot read, GET /api/user-skills, written on
// atlassian-connect-express (ACE) the way its README sets an app up, under node's cluster module.
//
//   ACE_WORKERS=2 PORT=8080 NODE_ENV=production AC_LOCAL_BASE_URL=https://... \
//   ACE_STORE=/tmp/ace-store.sqlite3 SKILLS_DATABASE=/tmp/main.sqlite3 \
//   ACE_CLIENT_KEY=... ACE_SHARED_SECRET=... ACE_HOST_BASE_URL=https://....atlassian.net node server.js
//
// The primary process stores the tenant in ACE's store (what ACE's /installed handler saves), then
// forks ACE_WORKERS workers sharing the port, as gunicorn's workers share theirs. Each worker:
// Express with the request parsers ACE's authentication needs, ACE's request middleware, and the
// route behind `addon.authenticate()`: ACE reads the tenant from its store, checks the JWT's
// signature, expiry and qsh, and signs the session token it sends back (X-acpt); the view then reads
// the user's skills, in the order added, from the benchmark's own seeded SQLite file (the one the
// add-on reads), through one prepared statement. It writes no log line per request.
// bench/run.py starts it; bench/README.md ("The peer") says why this is a fair comparison.

const cluster = require("node:cluster");
const process = require("node:process");

process.chdir(__dirname); // ACE reads config.json and atlassian-connect.json from the working directory

const express = require("express");
const ace = require("atlassian-connect-express");

const QUIET = { info() {}, warn() {}, error: console.error }; // ACE logs every refusal; errors only

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`bench/ace/server.js: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

async function primary() {
  const workers = Number(process.env.ACE_WORKERS || 1);
  const addon = ace(express(), {}, QUIET);
  // What ACE's /installed handler saves for a signed install of this tenant.
  const clientKey = required("ACE_CLIENT_KEY");
  await addon.settings.saveInstallation({
    key: addon.key, clientKey, sharedSecret: required("ACE_SHARED_SECRET"),
    baseUrl: required("ACE_HOST_BASE_URL"), productType: "jira", eventType: "installed",
  }, clientKey);
  let stopping = false;
  for (let n = 0; n < workers; n++) cluster.fork();
  cluster.on("exit", (worker, code, signal) => {
    if (!stopping) {
      console.error(`worker ${worker.process.pid} exited (${signal || code}); stopping`);
      process.exit(1);
    }
  });
  const stop = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
    setTimeout(() => process.exit(0), 2000).unref();
    cluster.disconnect(() => process.exit(0));
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

function skillsReader(file) {
  // better-sqlite3: a synchronous prepared statement, the cheapest way node has to read SQLite (13 to
  // 18 us of CPU a query here; node-sqlite3's asynchronous one, through libuv's thread pool, 40 to 60).
  const Database = require("better-sqlite3");
  const db = new Database(file, { fileMustExist: true, timeout: 10000 });
  const statement = db.prepare(
    "SELECT skills.name FROM tenants " +
    "JOIN user_skills ON user_skills.tenant_id = tenants.id AND user_skills.account_id = ? " +
    "JOIN skills ON skills.id = user_skills.skill_id " +
    "WHERE tenants.client_key = ? ORDER BY user_skills.id").pluck();
  return (clientKey, accountId) => statement.all(accountId, clientKey);
}

function worker() {
  const app = express();
  const addon = ace(app, {}, QUIET);
  const skillsOf = skillsReader(required("SKILLS_DATABASE"));

  // What ACE's authentication needs (it looks for the token in the body too), and ACE's middleware.
  app.use(express.json());
  app.use(express.urlencoded({ extended: false }));
  app.use(addon.middleware());

  app.get("/healthz", (req, res) => res.json({ status: "ok" }));

  app.get("/api/user-skills", addon.authenticate(), (req, res) => {
    const accountId = req.query.accountId;
    if (typeof accountId !== "string" || !/^[A-Za-z0-9:_-]{1,128}$/.test(accountId)) {
      res.status(400).json({ error: "invalid_request", message: "accountId: an Atlassian account ID is required." });
      return;
    }
    res.json({ skills: skillsOf(res.locals.clientKey, accountId) });
  });

  const port = Number(required("PORT"));
  app.listen(port, process.env.HOST || "127.0.0.1");
}

if (cluster.isPrimary) {
  primary().catch(err => {
    console.error(err);
    process.exit(1);
  });
} else {
  worker();
}
