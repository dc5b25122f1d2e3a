// Atlassian's own manifest validator, offline (no login, unlike `forge lint`):
//   node validate.mjs [--print] [manifest.yml ...]
//     prints {"<file>": {"success", "errors": [{level, message, reference, line}]}} (with --print also
//     each manifest as the validator read it, variables replaced, as "manifest"); exits 1 when any
//     file has an error. ${FORGE_APP_ID} and ${APP_BASE_URL} come from the environment, as for
//     `forge deploy`. Several files in one run: the validator's first call costs seconds.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { validate } = require("@forge/manifest");

const args = process.argv.slice(2);
const files = args.filter((arg) => !arg.startsWith("--"));
const reports = {};
let failed = false;
for (const file of files.length ? files : ["manifest.yml"]) {
  const result = await validate(false, file);
  const errors = (result.errors || []).map(({ level, message, reference, line }) => ({ level, message, reference, line }));
  const report = { success: result.success, errors };
  if (args.includes("--print")) report.manifest = result.manifestObject ? result.manifestObject.typedContent : null;
  failed ||= !result.success || errors.some((e) => e.level === "error");
  reports[file] = report;
}
console.log(JSON.stringify(reports, null, 1));
process.exit(failed ? 1 : 0);
