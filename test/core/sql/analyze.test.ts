import { lint } from "../../helpers/lint.js";

const base = ["1_init.up.sql", "1_init.down.sql"];

describe("analyzeSql", () => {
  test("Postgres: a statement its own parser rejects is a sql-parse-error error, and the rest is still checked", async () => {
    const f = await lint({
      files: { "2_x.up.sql": "SELECT 1;\nALTER TABLE t\n  ADD COLUMN (oops;\nDROP TABLE t;" },
      base,
    });
    const pe = f.filter((x) => x.ruleId === "sql-parse-error");
    expect(pe.map((x) => [x.startLine, x.endLine, x.severity])).toEqual([[2, 3, "error"]]);
    expect(pe[0]!.message).toMatch(
      /Postgres rejects this statement \(line 3, column \d+: syntax error.*the migration fails/,
    );
    expect(f.some((x) => x.ruleId === "drop-table" && x.startLine === 4)).toBe(true);
  });

  test("issue 14: a down file's DROP COLUMN c TEXT is an error, not a warning with exit 0", async () => {
    const f = await lint({
      files: {
        "2_x.up.sql": "ALTER TABLE t ADD COLUMN c text;",
        "2_x.down.sql": "ALTER TABLE t DROP COLUMN c TEXT;",
      },
      base,
    });
    expect(
      f.filter((x) => x.ruleId === "sql-parse-error").map((x) => [x.path, x.severity]),
    ).toEqual([["migrations/2_x.down.sql", "error"]]);
  });

  test.each([
    ["mysql", undefined],
    ["sqlite", undefined],
    ["cockroachdb", undefined],
    ["postgres", "19"],
  ] as const)(
    "%s (databaseVersion %s): the parser is not the server's, so a parse error stays a warning",
    async (dialect, databaseVersion) => {
      const f = await lint({
        files: { "2_x.up.sql": "SELECT 1;\nALTER TABLE t ADD COLUMN (oops;" },
        dialect,
        ...(databaseVersion ? { databaseVersion } : {}),
        base,
      });
      const pe = f.filter((x) => x.ruleId === "sql-parse-error");
      expect(pe.map((x) => x.severity)).toEqual(["warning"]);
      expect(pe[0]!.message).toMatch(/parser cannot read this statement .*manual review required/);
    },
  );

  test("SQLite syntax newer than databaseVersion is an error placed on the statement", async () => {
    const sql = [
      "ALTER TABLE t DROP COLUMN c;",
      'ALTER TABLE "t" RENAME COLUMN a TO b;',
      "INSERT INTO kv (k) VALUES (1) ON CONFLICT (k) DO NOTHING;",
      "INSERT INTO s SELECT count(*) FILTER (WHERE x > 0) FROM t;",
      "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  INSERT INTO kv (k) VALUES (1) ON CONFLICT DO NOTHING;\nEND;",
    ].join("\n");
    const errors = async (databaseVersion?: string) =>
      (
        await lint({
          files: { "2_x.up.sql": sql },
          dialect: "sqlite",
          ...(databaseVersion ? { databaseVersion } : {}),
          base,
        })
      )
        .filter((x) => x.ruleId === "sql-parse-error")
        .map((x) => [x.startLine, x.severity, /added in ([\d.]+)/.exec(x.message)?.[1]]);
    expect(await errors("3.22")).toEqual([
      [1, "error", "3.35.0"],
      [2, "error", "3.25.0"],
      [3, "error", "3.24.0"],
      [4, "error", "3.30.0"],
      [5, "error", "3.24.0"],
    ]);
    expect(await errors("3.29.1")).toEqual([
      [1, "error", "3.35.0"],
      [4, "error", "3.30.0"],
    ]);
    expect(await errors("3.35")).toEqual([]);
    // Without databaseVersion the server is taken to be recent.
    expect(await errors()).toEqual([]);
  });

  test("PG_PARSER_MAJOR is the grammar of the installed libpg-query", async () => {
    const { createRequire } = await import("node:module");
    const pkg = createRequire(import.meta.url)("libpg-query/package.json") as { version: string };
    const { PG_PARSER_MAJOR } = await import("../../../src/core/sql/parse/postgres.js");
    expect(Number(pkg.version.split(".")[0])).toBe(PG_PARSER_MAJOR);
  });

  test("Go template placeholders (supabase/auth style) give one clear finding per file", async () => {
    const sql = [
      "-- auth schema",
      'CREATE TABLE IF NOT EXISTS {{ index .Options "Namespace" }}.users (id uuid);',
      'CREATE INDEX users_id ON {{ index .Options "Namespace" }}.users (id);',
      'DROP TABLE {{ index .Options "Namespace" }}.old;',
    ].join("\n");
    const f = await lint({ files: { "2_x.up.sql": sql }, base });
    const pe = f.filter((x) => x.ruleId === "sql-parse-error");
    expect(pe).toHaveLength(1);
    expect(pe[0]).toMatchObject({ startLine: 2, endLine: 2, severity: "warning" });
    expect(pe[0]!.message).toMatch(
      /Go template placeholders .*and 2 more.*does not expand templates/,
    );
    // The masked statements are still analysed: the new table is exempt, the drop is not.
    expect(f.filter((x) => x.ruleId === "create-index-not-concurrently")).toEqual([]);
    expect(f.filter((x) => x.ruleId === "drop-table").map((x) => x.startLine)).toEqual([4]);
  });

  test("a binary file is left to unanalyzable-migration-file, not parsed", async () => {
    const f = await lint({ files: { "2_x.up.sql": "DROP TABLE t;\u0000\u0001" }, base });
    expect(f.map((x) => x.ruleId)).toContain("unanalyzable-migration-file");
    expect(f.filter((x) => x.ruleId === "drop-table" || x.ruleId === "sql-parse-error")).toEqual(
      [],
    );
  });

  test("ClickHouse: the generic rules only, through its token reader", async () => {
    const f = await lint({
      dialect: "clickhouse",
      files: {
        "2_x.up.sql":
          "DROP TABLE t;\nALTER TABLE u ADD COLUMN c UInt8;\nCREATE TABLE v (id UInt64) ENGINE = Memory;\n",
      },
      base,
    });
    // Postgres would flag the ADD COLUMN's lock (require-lock-timeout); ClickHouse has none.
    expect(f.filter((x) => x.ruleId !== "missing-down-migration").map((x) => x.ruleId)).toEqual([
      "drop-table",
    ]);
  });

  test("rules set to off produce nothing; other levels replace the default", async () => {
    const f = await lint({
      files: { "2_x.up.sql": "DROP TABLE t;\nCREATE INDEX i ON u (a);" },
      base,
      rules: { "drop-table": "off", "create-index-not-concurrently": "error" },
    });
    expect(f.filter((x) => x.ruleId === "drop-table")).toEqual([]);
    expect(f.find((x) => x.ruleId === "create-index-not-concurrently")!.severity).toBe("error");
  });

  test("files are analysed in golang-migrate order, so creations flow forward only", async () => {
    const f = await lint({
      files: {
        "10_b.up.sql": "CREATE INDEX i ON t (a);",
        "9_a.up.sql": "CREATE TABLE t (a int);",
        "11_c.up.sql": "CREATE TABLE u (a int);",
      },
      base,
    });
    // 9 runs before 10 (numerically, not by name), so t is new when 10 indexes it.
    expect(f.filter((x) => x.ruleId === "create-index-not-concurrently")).toEqual([]);
  });

  test("an index on a table created by a later migration is not exempt", async () => {
    const f = await lint({
      files: { "2_b.up.sql": "CREATE INDEX i ON t (a);", "3_a.up.sql": "CREATE TABLE t (a int);" },
      base,
    });
    expect(
      f.filter((x) => x.ruleId === "create-index-not-concurrently").map((x) => x.path),
    ).toEqual(["migrations/2_b.up.sql"]);
  });

  test("files golang-migrate ignores are still analysed (the author means them to run)", async () => {
    const f = await lint({ files: { "2_x_up.sql": "DROP TABLE t;" }, base });
    expect(f.filter((x) => x.ruleId === "drop-table").map((x) => x.path)).toEqual([
      "migrations/2_x_up.sql",
    ]);
    expect(f.some((x) => x.ruleId === "invalid-migration-filename")).toBe(true);
  });
});
