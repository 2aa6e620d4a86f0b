/**
 * Output made for a terminal: the replay's steps, locks and schema changes as aligned tables (not
 * Markdown source), colour only when asked for, long SQL cut with an ellipsis, text from the
 * migrations unable to drive the terminal; `--format markdown` is what the check run shows.
 */
import { renderReportMarkdown } from "../../src/core/report/markdown.js";
import type { Report } from "../../src/core/types.js";
import { formatText } from "../../src/cli/format/text.js";
import { cut, displayWidth, sanitize, useColor } from "../../src/cli/format/style.js";
import { renderTable } from "../../src/cli/format/table.js";
import { style } from "../../src/cli/format/style.js";
import { render, terminalWidth } from "../../src/cli/lint.js";
import { reportReplay, type ReplayPlan } from "../../src/replay/report.js";
import type { ReplayResult } from "../../src/replay/types.js";
import { runCli } from "../support/cli.js";
import { TempRepo } from "../support/git-repo.js";

const LONG_SQL =
  "UPDATE users SET name = 'a very long update statement that keeps going and going for quite a while' WHERE id > 0";

const result: ReplayResult = {
  engine: "PGlite 0.5.16 (PostgreSQL 18.6)",
  base: { files: 3, restored: 3, applied: 0, ms: 0 },
  ups: [
    {
      path: "db/migrations/000004_more.up.sql",
      version: "4",
      ok: true,
      ms: 48,
      notes: [],
      statements: [
        {
          line: 1,
          endLine: 1,
          sql: "ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT 'x'",
          ms: 1.4,
          locks: [{ relation: "public.users", relationKind: "table", mode: "AccessExclusiveLock" }],
        },
        {
          line: 2,
          endLine: 2,
          sql: LONG_SQL,
          ms: 0.6,
          locks: [
            { relation: "public.users", relationKind: "table", mode: "RowExclusiveLock" },
            { relation: "public.users", relationKind: "table", mode: "AccessShareLock" },
          ],
        },
      ],
    },
  ],
  downs: [
    {
      path: "db/migrations/000004_more.down.sql",
      version: "4",
      ok: false,
      ms: 7,
      notes: [],
      statements: [],
      error: { message: 'column "name" does not exist', line: 2, endLine: 2 },
    },
  ],
  reups: [],
  downChecks: [],
  reupDifferences: null,
  schemaDiff: [
    {
      kind: "column",
      name: "public.users.email",
      table: "public.users",
      change: "changed",
      attrs: { type: "character varying(320)" },
      changes: [{ attr: "type", before: "text", after: "character varying(320)" }],
    },
    {
      kind: "column",
      name: "public.users.name",
      table: "public.users",
      change: "added",
      attrs: { type: "text", notNull: true, default: "'x'::text" },
    },
    { kind: "index", name: "public.users_old_idx", change: "removed", attrs: {} },
  ],
  rolesCreated: ["app_reader"],
  notes: [],
  baseExtensions: [],
};

const plan: ReplayPlan = {
  directory: "db/migrations",
  dialect: "postgres",
  multiStatement: false,
  ups: [{ path: "db/migrations/000004_more.up.sql", version: "4" }],
  downs: [{ path: "db/migrations/000004_more.down.sql", version: "4" }],
  baseFiles: 3,
  notes: [],
};

function reportWith(r: ReplayResult): Report {
  const { section } = reportReplay(plan, { result: r, ms: 900 });
  return {
    tool: { name: "migration-warden", version: "1.2.3" },
    base: "a".repeat(40),
    head: "b".repeat(40),
    changed: [],
    findings: [],
    summary: { error: 0, warning: 0, notice: 0, suppressed: 0 },
    approvalRequired: false,
    incomplete: [],
    sections: [section],
  };
}

/** The lines of the table that starts with a header line containing `header`. */
function tableAfter(text: string, header: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((l) => l.includes(header));
  const end = lines.findIndex((l, i) => i > start && l.trim() === "");
  return lines.slice(start, end < 0 ? undefined : end);
}

describe("--format text: the replay's tables", () => {
  const text = formatText(reportWith(result), { color: false, width: 120 });

  test("no Markdown source: no pipes, no delimiter rows, no emphasis or code markers", () => {
    const section = text.slice(text.indexOf("Sandbox replay"));
    expect(section).not.toMatch(/\|/);
    expect(section).not.toMatch(/---/);
    expect(section).not.toMatch(/\*\*/);
    expect(section).not.toContain("`");
    expect(section).toContain(
      "PGlite 0.5.16 (PostgreSQL 18.6): 3 merged migrations restored from cache",
    );
  });

  test("steps: one aligned row per step, failures say where", () => {
    const steps = tableAfter(text, "STEP");
    expect(steps[0]).toMatch(/^ {2}STEP {2,}FILE {2,}RESULT {2,}TIME$/);
    expect(steps[1]).toMatch(/^ {2}up {2,}000004_more\.up\.sql {2,}applied {2,}48 ms$/);
    expect(steps[2]).toMatch(/^ {2}down {2,}000004_more\.down\.sql {2,}failed at line 2 {2,}7 ms$/);
    // Columns line up: every row starts its FILE cell where the header does.
    const col = steps[0]!.indexOf("FILE");
    for (const row of steps.slice(1)) expect(row.indexOf("000004")).toBe(col);
    // The time column is right-aligned.
    const ends = steps.map((r) => r.length);
    expect(new Set(ends).size).toBe(1);
  });

  test("locks: access share left out, long SQL cut with an ellipsis, blocked work named", () => {
    const locks = tableAfter(text, "WHERE");
    expect(locks).toHaveLength(3);
    expect(text).toContain("held until its transaction ends");
    expect(locks[1]).toContain("000004_more.up.sql:1");
    expect(locks[1]).toContain("ACCESS EXCLUSIVE");
    expect(locks[1]).toContain("table users");
    expect(locks[2]).toContain("ROW EXCLUSIVE");
    expect(locks[2]).not.toContain(LONG_SQL);
    expect(locks[2]).toMatch(/UPDATE users SET name = 'a very l\S*… {2}ROW EXCLUSIVE/);
    expect(text).not.toContain("ACCESS SHARE");
    for (const l of locks) expect(displayWidth(l)).toBeLessThanOrEqual(120);
  });

  test("schema changes with a sign per change, and the prose notes", () => {
    const changes = tableAfter(text, "KIND");
    expect(changes[1]).toMatch(
      /^ {2}~ {2}column {2}users\.email {2,}type text → character varying\(320\)$/,
    );
    expect(changes[2]).toMatch(
      /^ {2}\+ {2}column {2}users\.name {2,}text not null default 'x'::text$/,
    );
    expect(changes[3]).toMatch(/^ {2}− {2}index {3}users_old_idx$/);
    expect(text).toContain("- Roles the migrations refer to were created in the sandbox");
  });

  test("fits narrow terminals: optional columns go first, nothing is wider than the terminal", () => {
    const narrow = formatText(reportWith(result), { color: false, width: 80 });
    const locks = tableAfter(narrow, "WHERE");
    expect(locks[0]).not.toContain("BLOCKS");
    for (const l of narrow.slice(narrow.indexOf("Sandbox replay")).split("\n"))
      expect(displayWidth(l)).toBeLessThanOrEqual(80);
    const wide = formatText(reportWith(result), { color: false, width: 250 });
    // Even on a wide terminal the statement is cut at 60 columns.
    expect(tableAfter(wide, "WHERE")[2]).not.toContain("for quite a while");
    expect(tableAfter(wide, "WHERE")[0]).toContain("BLOCKS");
  });

  test("colour only when asked for", () => {
    expect(text).not.toContain("\u001b[");
    const coloured = formatText(reportWith(result), { color: true, width: 120 });
    expect(coloured).toContain("\u001b[31mACCESS EXCLUSIVE");
    expect(coloured).toContain("\u001b[31mfailed at line 2");
    expect(useColor({ isTTY: true, env: {} })).toBe(true);
    expect(useColor({ isTTY: true, env: { NO_COLOR: "1" } })).toBe(false);
    // https://no-color.org: an empty NO_COLOR does not count.
    expect(useColor({ isTTY: true, env: { NO_COLOR: "" } })).toBe(true);
    expect(useColor({ isTTY: false, env: {} })).toBe(false);
  });

  test("an aborted or failed base replay still renders", () => {
    const aborted = reportWith({
      ...result,
      ups: [],
      downs: [],
      schemaDiff: null,
      baseFailure: {
        path: "db/migrations/000002_x.up.sql",
        line: 3,
        error: { message: "syntax error" },
        limitation: false,
      },
    });
    const t = formatText(aborted, { color: false });
    expect(t).toContain(
      "Base history does not apply: db/migrations/000002_x.up.sql line 3: syntax error",
    );
    expect(t).not.toContain("STEP");
  });
});

describe("text from migrations cannot drive the terminal", () => {
  const ESC = "\u001b";
  test("control characters in SQL, file names and messages are shown escaped", () => {
    const hostile = `DROP TABLE users; ${ESC}[2K${ESC}[1A\r-- looks harmless \u202e`;
    const r = reportWith({
      ...result,
      ups: [
        {
          ...result.ups[0]!,
          path: `db/migrations/000004_${ESC}[31mx.up.sql`,
          statements: [{ ...result.ups[0]!.statements[0]!, sql: hostile }],
        },
      ],
    });
    r.findings = [
      {
        ruleId: "drop-table",
        severity: "error",
        path: `db/migrations/000004_${ESC}]8;;http://evil${ESC}\\x.up.sql`,
        startLine: 1,
        endLine: 1,
        message: `Dropping ${ESC}[8mhidden${ESC}[0m`,
        suggestion: "Don't.\r\nReally.",
      },
    ];
    for (const color of [false, true]) {
      const t = formatText(r, { color, width: 200 });
      // The only escape sequences left are our own colours.
      const foreign = t
        .split(ESC)
        .map((part, i) =>
          i === 0 ? part : /^\[\d+m/.test(part) ? part.replace(/^\[\d+m/, "") : ESC + part,
        )
        .join("");
      expect(foreign).not.toContain(ESC);
      expect(foreign).not.toContain("\r");
      expect(foreign).not.toContain("\u202e");
      expect(foreign).toContain("\\u{1b}[2K");
    }
    expect(sanitize("a\tb\nc")).toBe("a\tb\nc");
    expect(sanitize("\u0007\u009b\u2066")).toBe("\\u{07}\\u{9b}\\u{2066}");
  });
});

describe("table primitives", () => {
  test("cut keeps wide characters whole and marks the cut", () => {
    expect(cut("abcdef", 4)).toBe("abc…");
    expect(cut("abc", 3)).toBe("abc");
    expect(cut("表表表", 4)).toBe("表…");
    expect(displayWidth("表a\u0301")).toBe(3);
  });

  test("a table that cannot fit still prints every row", () => {
    const rows = renderTable(
      [{ header: "A" }, { header: "B", shrink: true, min: 5 }],
      [["x".repeat(30), "y".repeat(30)]],
      style(false),
      { width: 10 },
    );
    expect(rows).toHaveLength(2);
    expect(rows[1]).toBe(`${"x".repeat(30)}  yyyy…`);
  });

  test("width: the terminal's, else COLUMNS, else 120", () => {
    expect(terminalWidth({ isTTY: true, columns: 90, env: {} })).toBe(90);
    expect(terminalWidth({ isTTY: false, columns: 90, env: {} })).toBe(120);
    expect(terminalWidth({ isTTY: false, env: { COLUMNS: "70" } })).toBe(70);
    expect(terminalWidth({ isTTY: false, env: { COLUMNS: "wide" } })).toBe(120);
  });
});

describe("--format markdown", () => {
  test("is the check run's Markdown", () => {
    const r = reportWith(result);
    const md = render(r, "markdown");
    expect(md).toBe(
      renderReportMarkdown(r, {
        omittedHint: "`--format text` or `--format json` lists every finding.",
      }).markdown,
    );
    expect(md).toContain("| step | file | result | time |");
  });

  test("end to end: lint --format markdown prints the summary; text keeps its tables", async () => {
    const repo = new TempRepo();
    try {
      repo.write({
        "migrations/000001_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
        "migrations/000001_init.down.sql": "DROP TABLE users;\n",
      });
      repo.commit("init");
      repo.branch("feat");
      repo.write({
        "migrations/000002_drop.up.sql": "DROP TABLE users;\n",
        "migrations/000002_drop.down.sql": "CREATE TABLE users (id bigint PRIMARY KEY);\n",
      });
      repo.commit("drop");
      const md = await runCli(
        ["lint", "--base", "main", "--format", "markdown", "--no-replay"],
        repo.dir,
      );
      expect(md.code).toBe(1);
      expect(md.stderr).toBe("");
      expect(md.stdout).toMatch(/^\*\*1 error\*\*/);
      expect(md.stdout).toContain("| Lines | Severity | Rule | Finding |");
      expect(md.stdout).toContain("[`drop-table`](");
      const bad = await runCli(["lint", "--format", "html"], repo.dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--format must be one of text, json, sarif, github, markdown");
    } finally {
      repo.cleanup();
    }
  });
});
