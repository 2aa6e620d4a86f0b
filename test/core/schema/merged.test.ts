/**
 * The static merged schema: what it follows, and where it refuses to answer (unknown).
 */
import type { DirectoryConfig } from "../../../src/config/types.js";
import { buildMergedSchema } from "../../../src/core/schema/build.js";
import type { MergedSchema } from "../../../src/core/schema/merged.js";
import { loadParsers } from "../../../src/core/sql/parse/index.js";
import type { Dialect } from "../../../src/core/types.js";

async function schema(dialect: Dialect, ...files: string[]): Promise<MergedSchema> {
  await loadParsers(dialect);
  const dir: DirectoryConfig = { path: "m", dialect, multiStatement: false };
  const enc = new TextEncoder();
  return buildMergedSchema(
    dir,
    files.map((sql, i) => ({ path: `m/${i + 1}_x.up.sql`, bytes: enc.encode(sql) })),
  );
}

describe("Postgres", () => {
  test("columns, checks and indexes follow renames, retypes and drops", async () => {
    const s = await schema(
      "postgres",
      "CREATE TABLE a (id bigint PRIMARY KEY, x varchar(10) NOT NULL DEFAULT 'n', y int);",
      "ALTER TABLE a RENAME COLUMN x TO name;\nALTER TABLE a ALTER COLUMN name TYPE varchar(20);\nALTER TABLE a ADD CONSTRAINT y_nn CHECK (y IS NOT NULL) NOT VALID;\nCREATE INDEX a_y ON a (y);",
      "ALTER TABLE a RENAME TO b;\nALTER TABLE b VALIDATE CONSTRAINT y_nn;",
    );
    expect(s.lookup({ name: "a" }).table).toBeUndefined();
    const b = s.lookup({ schema: "public", name: "b" }).table!;
    expect(b.columns.get("name")).toMatchObject({ dataType: "varchar(20)", notNull: true });
    expect(b.checks).toEqual([{ name: "y_nn", notNullColumn: "y", validated: true }]);
    expect(b.indexes.map((i) => i.columns)).toEqual([["id"], ["y"]]);
  });

  test("a dropped and re-created table starts over", async () => {
    const s = await schema(
      "postgres",
      "CREATE TABLE a (c int NOT NULL);\nDROP TABLE a;\nCREATE TABLE a (c text);",
    );
    expect(s.column({ name: "a" }, "c")?.column).toMatchObject({ dataType: "text", notNull: false });
  });

  test("quoted names keep their case; another schema is another table", async () => {
    const s = await schema(
      "postgres",
      'CREATE TABLE "Users" (id int);\nCREATE TABLE app.users (id int NOT NULL);',
    );
    expect(s.lookup({ name: "users" }).table).toBeUndefined();
    expect(s.lookup({ name: "Users" }).table).toBeDefined();
    expect(s.column({ schema: "app", name: "users" }, "id")?.column.notNull).toBe(true);
  });

  test("unknown: unreadable statements, dynamic SQL, CREATE TABLE AS, a search_path change", async () => {
    const unreadable = await schema("postgres", "CREATE TABLE a (c int);\nALTER TABLE a FROB;");
    expect(unreadable.lookup({ name: "a" })).toEqual({
      why: expect.stringMatching(/could not be read/),
    });
    const dynamic = await schema(
      "postgres",
      "CREATE TABLE a (c int);\nDO $$ BEGIN EXECUTE format('ALTER TABLE a DROP COLUMN %I', current_setting('app.col')); END $$;",
    );
    expect(dynamic.lookup({ name: "a" }).table).toBeUndefined();
    const asQuery = await schema("postgres", "CREATE TABLE a AS SELECT 1 AS c;");
    expect(asQuery.lookup({ name: "a" }).table).toBeUndefined();
    const path = await schema(
      "postgres",
      "CREATE TABLE a (c int);\nCREATE SCHEMA s;\nCREATE TABLE s.a (c int);\nSET search_path = s;",
    );
    expect(path.lookup({ name: "a" }).table).toBeUndefined();
    expect(path.lookup({ schema: "s", name: "a" }).table).toBeDefined();
  });

  test("dynamic SQL with a constant string is followed", async () => {
    const s = await schema(
      "postgres",
      "CREATE TABLE a (c int, d int);\nDO $$ BEGIN EXECUTE 'ALTER TABLE a DROP COLUMN c'; END $$;",
    );
    expect([...s.lookup({ name: "a" }).table!.columns.keys()]).toEqual(["d"]);
  });

  test("a table created later, after an unreadable statement, is known again", async () => {
    const s = await schema("postgres", "ALTER TABLE x FROB;", "CREATE TABLE a (c int);");
    expect(s.lookup({ name: "a" }).table).toBeDefined();
  });
});

describe("MySQL", () => {
  test("MODIFY replaces the definition; CHANGE renames; names are case-insensitive", async () => {
    const s = await schema(
      "mysql",
      "CREATE TABLE `T` (id INT AUTO_INCREMENT PRIMARY KEY, u TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE CURRENT_TIMESTAMP, n VARCHAR(5) CHARACTER SET latin1 COLLATE latin1_bin COMMENT 'x');",
      "ALTER TABLE t MODIFY u TIMESTAMP(3) NULL;\nALTER TABLE t CHANGE N name VARCHAR(9);",
    );
    expect(s.column({ name: "t" }, "u")?.column).toEqual({
      name: "u",
      dataType: "TIMESTAMP(3)",
      notNull: false,
    });
    expect(s.column({ name: "T" }, "NAME")?.column).toEqual({
      name: "name",
      dataType: "VARCHAR(9)",
      notNull: false,
    });
    expect(s.column({ name: "t" }, "id")?.column).toMatchObject({ autoIncrement: true, notNull: true });
  });

  test("the attributes MODIFY can drop are read", async () => {
    const s = await schema(
      "mysql",
      "CREATE TABLE t (n VARCHAR(5) CHARACTER SET latin1 COLLATE latin1_bin NOT NULL DEFAULT 'a' COMMENT 'x', ts TIMESTAMP);",
    );
    expect(s.column({ name: "t" }, "n")?.column).toMatchObject({
      charset: "latin1",
      collation: "latin1_bin",
      default: "'a'",
      comment: "'x'",
    });
    expect(s.column({ name: "t" }, "ts")?.column.nullabilityUnsure).toBe(true);
  });

  test("CONVERT TO CHARACTER SET makes the table unknown", async () => {
    const s = await schema(
      "mysql",
      "CREATE TABLE t (n VARCHAR(5) CHARACTER SET latin1);\nALTER TABLE t CONVERT TO CHARACTER SET utf8mb4;",
    );
    expect(s.lookup({ name: "t" }).table).toBeUndefined();
  });
});
