/**
 * Hostile and odd SQL through the whole analysis (decode → split → parse → rules → suppression):
 * it never throws, keeps line numbers right for every line ending, and reports what it cannot
 * read instead of dropping it.
 */
import fc from "fast-check";
import { parseConfig } from "../../src/config/load.js";
import type { Config } from "../../src/config/types.js";
import { analyze } from "../../src/core/analyze.js";
import { splitStatements } from "../../src/core/sql/split.js";
import type { Dialect, Finding } from "../../src/core/types.js";
import { changeSet } from "../support/changeset.js";

const tool = { name: "migration-warden", version: "test" };
const DIALECTS: Dialect[] = ["postgres", "mysql", "sqlite", "cockroachdb", "clickhouse"];

/**
 * One parsed configuration per text, frozen: reading it was half of each fuzz case's CPU (700
 * cases, six different texts), and freezing proves the analysis never changes what it is given.
 */
const configs = new Map<string, Config>();
function configFor(text: string): Config {
  let config = configs.get(text);
  if (!config) configs.set(text, (config = deepFreeze(parseConfig(text, { ref: "main" }))));
  return config;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

async function lint(
  content: string | Uint8Array,
  dialect: Dialect = "postgres",
  extra = "",
): Promise<Finding[]> {
  const config = configFor(`directories:\n  - { path: m, dialect: ${dialect} }\n${extra}`);
  const cs = changeSet({
    base: { m: { "1_a.up.sql": "SELECT 1;", "1_a.down.sql": "SELECT 1;" } },
    add: { "m/2_b.up.sql": content, "m/2_b.down.sql": "SELECT 1;" },
  });
  const { report } = await analyze(config, cs, { tool });
  return report.findings.filter((f) => f.path === "m/2_b.up.sql");
}

function checkFindings(fs: Finding[], lineCount: number): void {
  for (const f of fs) {
    expect(f.startLine).toBeGreaterThanOrEqual(1);
    expect(f.endLine).toBeGreaterThanOrEqual(f.startLine);
    expect(f.endLine).toBeLessThanOrEqual(Math.max(1, lineCount));
    expect(f.message).not.toMatch(/undefined|\[object Object\]|NaN/);
  }
}

const lines = (s: string) => s.split(/\r\n|\r|\n/).length;

const pieces = [
  "SELECT 1",
  ";",
  " ",
  "\n",
  "\r\n",
  "\r",
  "'",
  "''",
  "E'\\''",
  '"',
  "`",
  "[",
  "]",
  "$$",
  "$tag$",
  "$1",
  "--",
  "#",
  "/*",
  "*/",
  "/*!",
  "(",
  ")",
  "BEGIN",
  "ATOMIC",
  "END",
  "CASE",
  "IF",
  "CREATE FUNCTION f() RETURNS int LANGUAGE sql ",
  "CREATE TRIGGER t BEFORE INSERT ON x FOR EACH ROW ",
  "DROP TABLE users",
  "ALTER TABLE users ADD COLUMN c int NOT NULL",
  "CREATE INDEX i ON users (a)",
  "{{ .Namespace }}",
  "-- migration-warden:ignore drop-table -- ok\n",
  "-- migration-warden:ignore-file\n",
  "é",
  "\u0000",
  "\ufeff",
  "😀",
];
const sqlish = fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((a) => a.join(""));

test("random SQL-shaped input in every dialect: no exception, sane findings", async () => {
  await fc.assert(
    fc.asyncProperty(sqlish, fc.constantFrom(...DIALECTS), async (sql, dialect) => {
      checkFindings(await lint(sql, dialect), lines(sql));
    }),
    { numRuns: 400 },
  );
});

test("random bytes (invalid UTF-8, NUL, BOM): no exception", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.uint8Array({ maxLength: 300 }),
      fc.constantFrom(...DIALECTS),
      async (bytes, dialect) => {
        const fs = await lint(bytes, dialect);
        for (const f of fs) expect(f.startLine).toBeGreaterThanOrEqual(1);
        if (bytes.includes(0))
          expect(fs.map((f) => f.ruleId)).toContain("unanalyzable-migration-file");
      },
    ),
    { numRuns: 300 },
  );
});

test("line endings do not move findings: LF, CRLF and CR give the same lines", async () => {
  const sql = [
    "-- header",
    "CREATE TABLE t (id int);",
    "",
    "DROP TABLE users;",
    "/* multi",
    "   line */ ALTER TABLE orders",
    "  ADD COLUMN c int NOT NULL;",
    "DELETE FROM sessions;",
  ];
  const at = (fs: Finding[]) => fs.map((f) => `${f.ruleId}@${f.startLine}-${f.endLine}`).sort();
  const lf = at(await lint(sql.join("\n")));
  expect(lf).toEqual(expect.arrayContaining(["drop-table@4-4", "dml-without-where@8-8"]));
  expect(at(await lint(sql.join("\r\n")))).toEqual(lf);
  expect(at(await lint(sql.join("\r")))).toEqual(lf);
  expect(at(await lint(`\ufeff${sql.join("\n")}`))).toEqual(lf);
});

test("invalid UTF-8 keeps the statement and its line", async () => {
  const bytes = Buffer.concat([
    Buffer.from("SELECT 1;\nDROP TABLE "),
    Buffer.from([0xff, 0xfe]),
    Buffer.from("x;\n"),
  ]);
  const fs = await lint(bytes);
  expect(fs).toEqual(
    expect.arrayContaining([expect.objectContaining({ ruleId: "drop-table", startLine: 2 })]),
  );
});

describe("unterminated constructs are reported, not dropped", () => {
  test.each([
    ["a string", "DROP TABLE a;\nSELECT 'never closed;\nDROP TABLE b;\n"],
    ["a block comment", "DROP TABLE a;\n/* never closed\nDROP TABLE b;\n"],
    ["a dollar quote", "DROP TABLE a;\nDO $x$ BEGIN PERFORM 1;\nDROP TABLE b;\n"],
    ["a quoted identifier", 'DROP TABLE a;\nDROP TABLE "b;\n'],
    [
      "a routine body",
      "DROP TABLE a;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;\n",
    ],
  ])("%s", async (_what, sql) => {
    const fs = await lint(sql);
    expect(fs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ruleId: "drop-table", startLine: 1 }),
        expect.objectContaining({ ruleId: "sql-parse-error", startLine: 2 }),
      ]),
    );
  });
});

describe("inputs built to hurt parsers", () => {
  test.each(DIALECTS)("deeply nested parentheses (%s)", async (dialect) => {
    const depth = 20_000;
    const sql = `SELECT ${"(".repeat(depth)}1${")".repeat(depth)};\nDROP TABLE users;\n`;
    const fs = await lint(sql, dialect);
    checkFindings(fs, 3);
    expect(fs.map((f) => `${f.ruleId}@${f.startLine}`)).toContain("drop-table@2");
  });

  test("a 10 MB single line splits in one pass with right positions", () => {
    const line = `INSERT INTO t VALUES ${"('x;y', $$a;b$$, /* c;d */ 1),".repeat(350_000)}(0)`;
    expect(line.length).toBeGreaterThan(10_000_000);
    const { statements } = splitStatements(`${line};\nDROP TABLE t;\n`, "postgres");
    expect(statements).toHaveLength(2);
    expect(statements[1]!.startPos).toEqual({ line: 2, column: 1, offset: line.length + 2 });
  });

  test("a 10 MB line is over the default size limit: reported, not parsed", async () => {
    const sql = `INSERT INTO t VALUES ${"(1),".repeat(2_600_000)}(0);\n`;
    const fs = await lint(sql);
    expect(fs.map((f) => f.ruleId)).toEqual(["unanalyzable-migration-file"]);
  });

  test("a 10 MB file analysed when the limit allows it", async () => {
    const sql = `INSERT INTO t (a) VALUES ${"(1),".repeat(2_600_000)}(0);\nDELETE FROM t;\n`;
    const fs = await lint(sql, "postgres", "limits:\n  maxFileBytes: 16777216\n");
    expect(fs.map((f) => `${f.ruleId}@${f.startLine}`)).toEqual(["dml-without-where@2"]);
  });

  test("many tiny statements and comments", async () => {
    const sql = "SELECT 1; -- x\n".repeat(20_000);
    expect(await lint(sql)).toEqual([]);
  });
});
