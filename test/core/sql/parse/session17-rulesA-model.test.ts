/** Statement model facts added for the session 17 Postgres catalog rules. */
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
