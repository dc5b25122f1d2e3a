// Builds the Custom UI resources of manifest.yml from the Connect pages' own code and markup:
// addon/pages/static/*.js and pages.css, templates/parts/*.html, with forge/src/host-forge.js as the
// host adapter in place of host-connect.js.
//
//   npm run build                        -> forge/static/<resource>/{index.html,bundle.js,pages.css}
//   node build.mjs --out DIR --bridge F  -> the same into DIR, with F standing in for @forge/bridge
//                                           (the browser tests' stand-in, tests/standin/forge-bridge.js)
import { build } from "esbuild";
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "..");
const staticDir = path.join(root, "addon", "pages", "static");
const partsDir = path.join(root, "templates", "parts");

// Each resource: the views whose markup it holds (templates/parts/<view>.html), the page scripts,
// the body class of templates/base.html and the title. The global page holds two views, chosen by
// its route (host-forge.js); every other resource is one view, inlined as in the Connect template.
export const RESOURCES = {
  global: { views: { finder: "finder", user: "user" }, scripts: ["match.js", "finder.js", "user.js"], bodyClass: "page", title: "Skills" },
  user: { views: { user: "user" }, scripts: ["user.js"], bodyClass: "page", title: "My skills" },
  panel: { views: { panel: "issue_panel" }, scripts: ["panel.js", "match.js", "issue-skills.js"], bodyClass: "panel", title: "Assignee skills" },
  admin: { views: { admin: "admin" }, scripts: ["csv.js", "admin.js"], bodyClass: "page", title: "User Skills administration" },
};

function escapeHtml(text) {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

async function markup(resource) {
  const views = Object.entries(resource.views);
  const parts = await Promise.all(views.map(([, part]) => readFile(path.join(partsDir, part + ".html"), "utf8")));
  if (views.length === 1) return parts[0];
  return '<div id="skills-view"></div>\n' + views.map(([page], i) =>
    `<template data-page="${page}">\n${parts[i]}</template>\n`).join("");
}

// The shell of templates/base.html without Connect's all.js and page data: Forge gives the context.
function page(resource, content) {
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(resource.title)}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="pages.css">
</head>
<body class="${resource.bodyClass}">
  <div class="ac-content">
${content}  </div>
  <script src="bundle.js"></script>
</body>
</html>
`;
}

export async function buildAll({ out = path.join(here, "static"), bridge = null } = {}) {
  for (const [name, resource] of Object.entries(RESOURCES)) {
    const dir = path.join(out, name);
    await mkdir(dir, { recursive: true });
    // Import order is run order: the adapter, then the shared code, then the pages.
    const modules = [path.join(here, "src", "host-forge.js"), path.join(staticDir, "skill-names.js"),
      path.join(staticDir, "common.js"), ...resource.scripts.map((script) => path.join(staticDir, script))];
    await build({
      stdin: { contents: modules.map((file) => `import ${JSON.stringify(file)};`).join("\n"), resolveDir: here },
      bundle: true,
      format: "iife",
      target: "es2020",
      minify: true,
      legalComments: "none",
      define: { SKILLS_FORGE_RESOURCE: JSON.stringify(name) },
      alias: bridge ? { "@forge/bridge": path.resolve(bridge) } : {},
      outfile: path.join(dir, "bundle.js"),
      logLevel: "warning",
    });
    await copyFile(path.join(staticDir, "pages.css"), path.join(dir, "pages.css"));
    await writeFile(path.join(dir, "index.html"), page(resource, await markup(resource)));
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: "string" }, bridge: { type: "string" } } });
  const out = await buildAll({ out: values.out && path.resolve(values.out), bridge: values.bridge });
  console.log(`built ${Object.keys(RESOURCES).join(", ")} into ${path.relative(process.cwd(), out) || "."}`);
}
