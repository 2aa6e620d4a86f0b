import { parseDirectives } from "../../src/core/suppress.js";
import { splitStatements } from "../../src/core/sql/split.js";
import { lint } from "../helpers/lint.js";

const known = new Set(["drop-table", "drop-column", "create-index-not-concurrently"]);
const directives = (sql: string) => parseDirectives(splitStatements(sql, "postgres"), known);

describe("parseDirectives", () => {
  test("statement scope: the comment lines directly before a statement", () => {
    const [d] = directives(
      "SELECT 1;\n-- migration-warden:ignore drop-table -- dropped on purpose\n\nDROP TABLE t\n  CASCADE;",
    );
    expect(d).toEqual({
      scope: "statement",
      ruleIds: ["drop-table"],
      reason: "dropped on purpose",
      line: 2,
      endLine: 2,
      target: { startLine: 4, endLine: 5 },
      unknownIds: [],
    });
  });

  test("several ids, block comments, reasons containing --", () => {
    const [d] = directives(
      "/* migration-warden:ignore drop-table, drop-column,nope -- a -- b\n   continued */\nDROP TABLE t;",
    );
    expect(d).toMatchObject({
      ruleIds: ["drop-table", "drop-column"],
      unknownIds: ["nope"],
      reason: "a -- b continued",
      line: 1,
      endLine: 2,
    });
  });

  test("file scope, anywhere", () => {
    const [d] = directives(
      "DROP TABLE a;\n-- migration-warden:ignore-file drop-table -- sandbox tables",
    );
    expect(d).toMatchObject({ scope: "file", ruleIds: ["drop-table"], reason: "sandbox tables" });
  });

  test("a comment at the end of a statement's last line is about that statement (squawk#833)", () => {
    const [d] = directives(
      "DROP TABLE a; -- migration-warden:ignore drop-table -- obsolete\nDROP TABLE b;",
    );
    expect(d!.target).toEqual({ startLine: 1, endLine: 1 });
  });

  test("a comment inside a statement is about the statement around it", () => {
    const [d] = directives(
      "ALTER TABLE t\n  -- migration-warden:ignore drop-column -- unused since 2024\n  DROP COLUMN c;\nDROP TABLE x;",
    );
    expect(d!.target).toEqual({ startLine: 1, endLine: 3 });
  });

  test("no statement after it: no target", () => {
    const [d] = directives("DROP TABLE a;\n-- migration-warden:ignore drop-table -- too late");
    expect(d!.target).toBeNull();
  });

  test("unrelated comments are not directives", () => {
    expect(
      directives("-- migration-warden is great\n-- migration-warden:ignored x -- y\nSELECT 1;"),
    ).toEqual([]);
  });
});

describe("suppression end to end", () => {
  test("a reasoned ignore marks the finding suppressed and keeps it", async () => {
    const f = await lint({
      files: {
        "2_x.up.sql":
          "-- migration-warden:ignore drop-table -- archived to S3 in OPS-12\nDROP TABLE t;\nDROP TABLE u;",
      },
      base: ["1_a.up.sql", "1_a.down.sql"],
    });
    const drops = f.filter((x) => x.ruleId === "drop-table");
    expect(drops.map((x) => [x.startLine, x.suppressed?.reason ?? null])).toEqual([
      [2, "archived to S3 in OPS-12"],
      [3, null],
    ]);
  });

  test("without a reason nothing is suppressed and the comment is reported", async () => {
    const f = await lint({
      files: { "2_x.up.sql": "-- migration-warden:ignore drop-table\nDROP TABLE t;" },
      base: ["1_a.up.sql", "1_a.down.sql"],
    });
    expect(f.find((x) => x.ruleId === "drop-table")!.suppressed).toBeUndefined();
    expect(
      f.filter((x) => x.ruleId === "ignore-without-reason").map((x) => [x.startLine, x.severity]),
    ).toEqual([[1, "warning"]]);
  });

  test("unknown rule ids are reported", async () => {
    const f = await lint({
      files: { "2_x.up.sql": "-- migration-warden:ignore drop-tabel -- typo\nDROP TABLE t;" },
      base: ["1_a.up.sql", "1_a.down.sql"],
    });
    expect(f.filter((x) => x.ruleId === "ignore-unknown-rule").map((x) => x.message)).toEqual([
      expect.stringContaining('"drop-tabel"'),
    ]);
    expect(f.find((x) => x.ruleId === "drop-table")!.suppressed).toBeUndefined();
  });

  test("ignore-file covers every statement of the file, and only the named rules", async () => {
    const f = await lint({
      files: {
        "2_x.up.sql":
          "DROP TABLE a;\nCREATE INDEX i ON b (x);\n-- migration-warden:ignore-file drop-table -- test fixtures only",
      },
      base: ["1_a.up.sql", "1_a.down.sql"],
    });
    expect(f.find((x) => x.ruleId === "drop-table")!.suppressed).toEqual({
      reason: "test fixtures only",
    });
    expect(f.find((x) => x.ruleId === "create-index-not-concurrently")!.suppressed).toBeUndefined();
  });

  test("a parse error can be suppressed after manual review", async () => {
    const f = await lint({
      files: {
        "2_x.up.sql":
          "-- migration-warden:ignore sql-parse-error -- reviewed: valid on PG 18\nSELECT FROM WHERE;",
      },
      base: ["1_a.up.sql", "1_a.down.sql"],
    });
    expect(f.find((x) => x.ruleId === "sql-parse-error")!.suppressed).toBeDefined();
  });
});
