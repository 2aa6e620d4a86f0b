/** Statement model facts the catalog rules read: enum labels, OR REPLACE, option changes, routine SET clauses, derived tables. */
import { expect, test } from "@jest/globals";
import { models } from "../../../helpers/source.js";

test("Postgres CREATE TYPE … AS ENUM: its labels in order; other CREATE TYPEs have none", async () => {
  const ms = await models(
    "CREATE TYPE s.mood AS ENUM ('sad', 'o''k', 'Happy');\nCREATE TYPE e AS ENUM ();\nCREATE TYPE pair AS (a int);",
  );
  expect(ms.map((m) => (m.kind === "create-other" ? (m.enumLabels ?? null) : "?"))).toEqual([
    ["sad", "o'k", "Happy"],
    [],
    null,
  ]);
});

test("OR REPLACE of views and routines, MySQL ALTER VIEW … AS: what may redefine an existing object", async () => {
  const pg = await models(
    "CREATE OR REPLACE VIEW v AS SELECT 1;\nCREATE VIEW w AS SELECT 1;\nCREATE OR REPLACE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';",
  );
  expect(pg.map((m) => ("orReplace" in m ? (m.orReplace ?? null) : null))).toEqual([
    true,
    null,
    true,
  ]);
  const my = await models(
    "CREATE OR REPLACE VIEW v AS SELECT 1;\nALTER ALGORITHM = MERGE DEFINER = `a`@`%` VIEW `Db`.v2 (a) AS SELECT 2;\nCREATE OR REPLACE PROCEDURE p() BEGIN SELECT 1; END;\nCREATE VIEW w AS SELECT 1;\nALTER TABLE `view` ADD COLUMN x int;",
    "mysql",
  );
  expect(my.map((m) => ("orReplace" in m ? (m.orReplace ?? null) : null))).toEqual([
    true,
    null,
    true,
    null,
    null,
  ]);
  expect(my[1]?.kind === "other" && my[1].redefinedView).toEqual({ schema: "db", name: "v2" });
  expect(my[4]?.kind).toBe("alter-table");
});

test("Postgres option changes: routines, views, databases, the server, extensions", async () => {
  const ms = await models(
    [
      "ALTER FUNCTION s.f(int) SECURITY DEFINER SET search_path = a, b RESET work_mem STRICT IMMUTABLE PARALLEL SAFE COST 5;",
      "ALTER PROCEDURE p() SET role TO DEFAULT SET search_path FROM CURRENT;",
      "ALTER ROUTINE r() RESET ALL;",
      "ALTER VIEW v SET (security_barrier, check_option = local), RESET (security_invoker);",
      "ALTER DATABASE d SET work_mem = '1MB';",
      "ALTER DATABASE d WITH CONNECTION LIMIT 5 ALLOW_CONNECTIONS false;",
      "ALTER SYSTEM RESET ALL;",
      "ALTER EXTENSION e UPDATE TO '2.0';",
      "ALTER EXTENSION e ADD FUNCTION f();",
      "ALTER VIEW v RENAME TO w;",
    ].join("\n"),
  );
  expect(ms.map((m) => (m.kind === "other" ? (m.alteredOptions ?? null) : "?"))).toEqual([
    {
      objectType: "FUNCTION",
      name: { schema: "s", name: "f" },
      options: [
        "SECURITY DEFINER",
        "SET search_path",
        "RESET work_mem",
        "STRICT",
        "IMMUTABLE",
        "PARALLEL SAFE",
        "COST",
      ],
      settings: [{ name: "search_path", value: "a, b" }],
    },
    {
      objectType: "PROCEDURE",
      name: { name: "p" },
      options: ["SET role TO DEFAULT", "SET search_path FROM CURRENT"],
      settings: [{ name: "role", value: null }],
    },
    { objectType: "ROUTINE", name: { name: "r" }, options: ["RESET ALL"], settings: [] },
    {
      objectType: "VIEW",
      name: { name: "v" },
      options: ["SET (security_barrier, check_option)", "RESET (security_invoker)"],
      settings: [],
    },
    {
      objectType: "DATABASE",
      name: { name: "d" },
      options: ["SET work_mem"],
      settings: [{ name: "work_mem", value: "1MB" }],
    },
    {
      objectType: "DATABASE",
      name: { name: "d" },
      options: ["CONNECTION LIMIT", "ALLOW CONNECTIONS"],
      settings: [],
    },
    { objectType: "SYSTEM", name: null, options: ["RESET ALL"], settings: [] },
    { objectType: "EXTENSION", name: { name: "e" }, options: ["UPDATE TO 2.0"], settings: [] },
    { objectType: "EXTENSION", name: { name: "e" }, options: ["ADD FUNCTION"], settings: [] },
    null,
  ]);
  expect(ms[6]?.nonTransactional).toBe("ALTER SYSTEM");
});

test("Postgres CREATE FUNCTION … SET clauses: the settings each call runs with", async () => {
  const [f, g] = await models(
    "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET role = admin SET \"Search_Path\" TO public SECURITY DEFINER AS 'select 1';\nCREATE FUNCTION g() RETURNS int LANGUAGE sql AS 'select 1';",
  );
  expect(f?.kind === "create-routine" && f.settings).toEqual([
    { name: "role", value: "admin" },
    { name: "search_path", value: "public" },
  ]);
  expect(g?.kind === "create-routine" && g.settings).toBeUndefined();
});

test("Postgres CREATE TABLE with columns from elsewhere: LIKE, INHERITS, PARTITION OF, OF type", async () => {
  const ms = await models(
    [
      "CREATE TABLE a (x int, LIKE other);",
      "CREATE TABLE b (x int) INHERITS (p);",
      "CREATE TABLE c PARTITION OF p FOR VALUES IN (1);",
      "CREATE TABLE d OF some_type;",
      "CREATE TABLE e (x int);",
    ].join("\n"),
  );
  expect(ms.map((m) => (m.kind === "create-table" ? (m.derived ?? null) : "?"))).toEqual([
    "like",
    "inherits",
    "partition-of",
    "of-type",
    null,
  ]);
});
