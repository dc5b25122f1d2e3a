/* People's skills as CSV (RFC 4180): the header `accountId,skill`, one row per skill a person holds.
 * A row with an empty skill lists a person with no skills (importing it removes all of theirs).
 * Pure functions, no DOM: parse, format, read into {accountId: [skills]}, and the diff for a preview.
 *
 * Formula injection: anyone may name a skill "=HYPERLINK(...)", and an admin opens the export in a
 * spreadsheet, which would run it. Cells starting with = + - @ tab or CR are written with a leading
 * apostrophe (OWASP's advice). So that import is still the exact inverse of export, a cell already
 * made of apostrophes before such a character ("'=x") gets one more too, and import takes exactly
 * one apostrophe off a cell that is apostrophes followed by such a character; any other cell, "'x"
 * included, is read as written. */
(function () {
  "use strict";
  var ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9:_\-]*$/;

  function parse(text) {
    var rows = [], row = [], field = "", i = 0, quoted = false, line = 1, n = text.length;
    if (text.charCodeAt(0) === 0xfeff) i = 1;  // a byte-order mark from spreadsheet programs
    var fieldStarted = false;
    for (; i < n; i++) {
      var c = text[i];
      if (quoted) {
        if (c === '"') {
          if (text[i + 1] === '"') { field += '"'; i++; }
          else quoted = false;
        } else {
          if (c === "\n") line++;
          field += c;
        }
      } else if (c === '"') {
        if (field !== "") throw new Error("Line " + line + ": a quote inside an unquoted field.");
        quoted = true; fieldStarted = true;
      } else if (c === ",") {
        row.push(field); field = ""; fieldStarted = true;
      } else if (c === "\r" || c === "\n") {
        if (c === "\r" && text[i + 1] === "\n") i++;
        if (fieldStarted || field !== "" || row.length) { row.push(field); rows.push(row); }
        row = []; field = ""; fieldStarted = false; line++;
      } else {
        field += c; fieldStarted = true;
      }
    }
    if (quoted) throw new Error("Line " + line + ": a quoted field is not closed.");
    if (fieldStarted || field !== "" || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  var FORMULA = /^'*[=+\-@\t\r]/;   // what export neutralises (with any apostrophes already before it)
  var NEUTRALISED = /^'+[=+\-@\t\r]/;

  function neutralise(value) { return FORMULA.test(value) ? "'" + value : value; }

  function restore(value) { return NEUTRALISED.test(value) ? value.slice(1) : value; }

  function quote(value) {
    value = neutralise(String(value));
    return /[",\r\n]/.test(value) ? '"' + value.replace(/"/g, '""') + '"' : value;
  }

  function format(rows) {
    return rows.map(function (row) { return row.map(quote).join(","); }).join("\r\n") + "\r\n";
  }

  function fromSkillsByAccount(skillsByAccountId) {
    var rows = [["accountId", "skill"]];
    Object.keys(skillsByAccountId).forEach(function (accountId) {
      skillsByAccountId[accountId].forEach(function (skill) { rows.push([accountId, skill]); });
    });
    return format(rows);
  }

  var key = window.SkillsNames.nameKey;  // the server's comparison: "STRASSE" is "straße"

  /* {skillsByAccountId, errors}: what the file says each listed person should hold. */
  function toSkillsByAccount(text) {
    var rows = parse(text).map(function (row) { return row.map(restore); });
    var errors = [];
    if (!rows.length) return { skillsByAccountId: {}, errors: ["The file is empty."] };
    var header = rows[0].map(function (cell) { return cell.trim().toLowerCase(); });
    var accountCol = header.indexOf("accountid"), skillCol = header.indexOf("skill");
    if (accountCol === -1 || skillCol === -1) {
      return { skillsByAccountId: {}, errors: ["The first line must be the header accountId,skill."] };
    }
    var result = {}, seen = {};
    for (var r = 1; r < rows.length; r++) {
      var row = rows[r], lineNo = r + 1;
      if (row.length === 1 && row[0].trim() === "") continue;  // a blank line
      var accountId = (row[accountCol] || "").trim();
      var skill = window.SkillsNames.cleanName(row[skillCol] || "");
      if (!ACCOUNT_ID.test(accountId) || accountId.length > 128) {
        errors.push("Row " + lineNo + ": “" + accountId + "” is not an Atlassian account ID.");
        continue;
      }
      if (!result[accountId]) { result[accountId] = []; seen[accountId] = new Set(); }
      if (!skill) continue;
      if (skill.length > 100) { errors.push("Row " + lineNo + ": a skill name has at most 100 characters."); continue; }
      if (window.SkillsNames.hasControl(skill)) { errors.push("Row " + lineNo + ": the skill contains control characters."); continue; }
      if (window.SkillsNames.hasFormat(skill)) {
        errors.push("Row " + lineNo + ": the skill contains invisible formatting characters.");
        continue;
      }
      if (seen[accountId].has(key(skill))) continue;
      seen[accountId].add(key(skill));
      result[accountId].push(skill);
    }
    return { skillsByAccountId: result, errors: errors };
  }

  /* Per listed person, the skills the import adds and removes; people it would not change are counted. */
  function diff(current, wanted) {
    var changes = [], unchanged = 0;
    Object.keys(wanted).forEach(function (accountId) {
      var have = current[accountId] || [];
      var haveKeys = new Set(have.map(key)), wantKeys = new Set(wanted[accountId].map(key));
      var added = wanted[accountId].filter(function (s) { return !haveKeys.has(key(s)); });
      var removed = have.filter(function (s) { return !wantKeys.has(key(s)); });
      if (added.length || removed.length) changes.push({ accountId: accountId, added: added, removed: removed });
      else unchanged++;
    });
    return { changes: changes, unchanged: unchanged };
  }

  function bytes(text) { return new TextEncoder().encode(text).length; }

  /* Requests of at most `maxAccounts` people and about `maxBytes` of JSON each (the API's limits). */
  function batches(skillsByAccountId, maxAccounts, maxBytes) {
    var out = [], current = {}, count = 0, size = 30;
    Object.keys(skillsByAccountId).forEach(function (accountId) {
      var entry = bytes(JSON.stringify(accountId)) + bytes(JSON.stringify(skillsByAccountId[accountId])) + 2;
      if (count && (count >= maxAccounts || size + entry > maxBytes)) {
        out.push(current); current = {}; count = 0; size = 30;
      }
      current[accountId] = skillsByAccountId[accountId]; count++; size += entry;
    });
    if (count) out.push(current);
    return out;
  }

  window.SkillsCsv = { parse: parse, format: format, neutralise: neutralise, restore: restore, fromSkillsByAccount: fromSkillsByAccount,
                       toSkillsByAccount: toSkillsByAccount, diff: diff, batches: batches };
})();
