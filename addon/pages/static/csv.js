/* People's skills as CSV (RFC 4180): the header `accountId,skill,level`, one row per skill a person holds.
 * A row with an empty skill lists a person with no skills (importing it removes all of theirs). `level`
 * is a level's name or number, empty for not rated; a file without that column leaves levels as they
 * are. Pure functions, no DOM: parse, format, read into {accountId: [skills]} (and their levels), and
 * the diff for a preview.
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

  /* The export: every holding, its level by name ("" when not rated). */
  function fromLevelsByAccount(levelsByAccountId, scale) {
    var rows = [["accountId", "skill", "level"]];
    Object.keys(levelsByAccountId).forEach(function (accountId) {
      levelsByAccountId[accountId].forEach(function (held) {
        var level = held.level === null ? "" : (scale.levels[held.level - 1] || { name: String(held.level) }).name;
        rows.push([accountId, held.name, level]);
      });
    });
    return format(rows);
  }

  var key = window.SkillsNames.nameKey;  // the server's comparison: "STRASSE" is "straße"

  /* A `level` cell: a level's name (case-insensitively; names win over numbers) or number; empty: not rated. */
  function readLevel(cell, scale) {
    var text = cell.trim();
    if (!text) return { level: null };
    var found = scale.levels.filter(function (entry) { return key(entry.name) === key(text); })[0];
    if (found) return { level: found.level };
    if (/^[0-9]+$/.test(text) && Number(text) >= 1 && Number(text) <= scale.levels.length) return { level: Number(text) };
    return { error: "“" + text + "” is not a level of this site (1 to " + scale.levels.length + ", or " +
      scale.levels.map(function (entry) { return entry.name; }).join(", ") + ")." };
  }

  /* {skillsByAccountId, levelsByAccountId (with a level column), hasLevels, errors}: what the file says
   * each listed person should hold. */
  function toSkillsByAccount(text, scale) {
    var rows = parse(text).map(function (row) { return row.map(restore); });
    var errors = [];
    if (!rows.length) return { skillsByAccountId: {}, errors: ["The file is empty."] };
    var header = rows[0].map(function (cell) { return cell.trim().toLowerCase(); });
    var accountCol = header.indexOf("accountid"), skillCol = header.indexOf("skill"), levelCol = header.indexOf("level");
    if (accountCol === -1 || skillCol === -1) {
      return { skillsByAccountId: {}, errors: ["The first line must be the header accountId,skill (and level if you like)."] };
    }
    var hasLevels = levelCol !== -1 && !!scale;
    var result = {}, levels = {}, seen = {};
    for (var r = 1; r < rows.length; r++) {
      var row = rows[r], lineNo = r + 1;
      if (row.length === 1 && row[0].trim() === "") continue;  // a blank line
      var accountId = (row[accountCol] || "").trim();
      var skill = window.SkillsNames.cleanName(row[skillCol] || "");
      if (!ACCOUNT_ID.test(accountId) || accountId.length > 128) {
        errors.push("Row " + lineNo + ": “" + accountId + "” is not an Atlassian account ID.");
        continue;
      }
      if (!result[accountId]) { result[accountId] = []; levels[accountId] = []; seen[accountId] = new Map(); }
      if (!skill) continue;
      if (skill.length > 100) { errors.push("Row " + lineNo + ": a skill name has at most 100 characters."); continue; }
      if (window.SkillsNames.hasControl(skill)) { errors.push("Row " + lineNo + ": the skill contains control characters."); continue; }
      if (window.SkillsNames.hasFormat(skill)) {
        errors.push("Row " + lineNo + ": the skill contains invisible formatting characters.");
        continue;
      }
      var level = null;
      if (hasLevels) {
        var cell = readLevel(row[levelCol] || "", scale);
        if (cell.error) { errors.push("Row " + lineNo + ": " + cell.error); continue; }
        level = cell.level;
      }
      if (seen[accountId].has(key(skill))) {
        if (seen[accountId].get(key(skill)) !== level) {
          errors.push("Row " + lineNo + ": " + skill + " is listed for " + accountId + " twice, with different levels.");
        }
        continue;
      }
      seen[accountId].set(key(skill), level);
      result[accountId].push(skill);
      levels[accountId].push({ name: skill, level: level });
    }
    var answer = { skillsByAccountId: result, hasLevels: hasLevels, errors: errors };
    if (hasLevels) answer.levelsByAccountId = levels;
    return answer;
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

  /* The same with levels: also each kept skill whose level changes ({name, from, to}), and the level of
   * each added one (`addedLevels`, alongside `added`). */
  function diffLevels(current, wanted) {
    var changes = [], unchanged = 0;
    Object.keys(wanted).forEach(function (accountId) {
      var have = current[accountId] || [];
      var haveBy = new Map(have.map(function (held) { return [key(held.name), held]; }));
      var wantKeys = new Set(wanted[accountId].map(function (entry) { return key(entry.name); }));
      var added = wanted[accountId].filter(function (entry) { return !haveBy.has(key(entry.name)); });
      var removed = have.filter(function (held) { return !wantKeys.has(key(held.name)); });
      var levelChanged = [];
      wanted[accountId].forEach(function (entry) {
        var held = haveBy.get(key(entry.name));
        if (held && held.level !== entry.level) levelChanged.push({ name: held.name, from: held.level, to: entry.level });
      });
      if (added.length || removed.length || levelChanged.length) {
        changes.push({ accountId: accountId, added: added.map(function (e) { return e.name; }),
                       addedLevels: added.map(function (e) { return e.level; }),
                       removed: removed.map(function (held) { return held.name; }), levelChanged: levelChanged });
      } else unchanged++;
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

  window.SkillsCsv = { parse: parse, format: format, neutralise: neutralise, restore: restore,
                       fromLevelsByAccount: fromLevelsByAccount, readLevel: readLevel, toSkillsByAccount: toSkillsByAccount,
                       diff: diff, diffLevels: diffLevels, batches: batches };
})();
