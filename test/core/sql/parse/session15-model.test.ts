/** Statement model facts added for the session 15 rules, in each parser that fills them. */
import { describe, expect, test } from "@jest/globals";
import { models } from "../../../helpers/source.js";

describe("grant: the tables of ON [TABLE] …", () => {
  test("Postgres: named tables only", async () => {
    const ms = await models(
      'REVOKE SELECT ON TABLE a, "B", s.c FROM r;\nREVOKE SELECT ON ALL TABLES IN SCHEMA public FROM r;\nREVOKE USAGE ON SEQUENCE q FROM r;\nREVOKE r1 FROM r2;',
    );
    expect(ms.map((m) => (m.kind === "grant" ? (m.tables ?? null) : "?"))).toEqual([
      [{ name: "a" }, { name: "B" }, { schema: "s", name: "c" }],
      null,
      null,
      null,
    ]);
  });

  test("MySQL: one table, not db.* or a routine", async () => {
    const ms = await models(
      "REVOKE SELECT ON `shop`.`orders` FROM 'a'@'%';\nREVOKE SELECT ON TABLE t FROM a;\nREVOKE SELECT ON shop.* FROM a;\nREVOKE EXECUTE ON PROCEDURE shop.p FROM a;\nREVOKE r FROM a;",
      "mysql",
    );
    expect(ms.map((m) => (m.kind === "grant" ? (m.tables ?? null) : "?"))).toEqual([
      [{ schema: "shop", name: "orders" }],
      [{ name: "t" }],
      null,
      null,
      null,
    ]);
  });
});

test("Postgres CREATE TABLE … WITH (…): the storage parameters", async () => {
  const ms = await models(
    "CREATE TABLE t (a int) WITH (fillfactor = 70, toast.autovacuum_enabled = off);\nCREATE TABLE u AS SELECT 1 WITH NO DATA;\nCREATE TABLE v WITH (autovacuum_enabled = false) AS SELECT 1;",
  );
  expect(ms.map((m) => (m.kind === "create-table" ? (m.settings ?? null) : "?"))).toEqual([
    [
      { name: "fillfactor", value: "70" },
      { name: "toast.autovacuum_enabled", value: "off" },
    ],
    null,
    [{ name: "autovacuum_enabled", value: "false" }],
  ]);
});

test("Postgres set_config with constant arguments is embedded as the SET it is", async () => {
  const [m] = await models(
    "SELECT set_config('Session_Replication_Role', 'replica'::text, false), pg_catalog.set_config('lock_timeout', '1s', true), set_config('x', current_setting('y'), false);",
  );
  expect(m!.effects?.embedded.map((e) => [e.model, e.via])).toEqual([
    [
      expect.objectContaining({
        kind: "set",
        name: "session_replication_role",
        value: "replica",
        scope: "session",
      }),
      "by set_config()",
    ],
    [
      expect.objectContaining({ kind: "set", name: "lock_timeout", value: "1s", scope: "local" }),
      "by set_config()",
    ],
  ]);
});

test("MySQL/MariaDB ADD and DROP SYSTEM VERSIONING are actions, not a column named system", async () => {
  const ms = await models(
    "ALTER TABLE t DROP SYSTEM VERSIONING;\nALTER TABLE t ADD SYSTEM VERSIONING, ADD COLUMN `system` int;",
    "mysql",
  );
  expect(
    ms.map((m) =>
      m.kind === "alter-table"
        ? m.actions.map((a) => (a.type === "other" ? a.option : a.type))
        : "?",
    ),
  ).toEqual([["DROP SYSTEM VERSIONING"], ["ADD SYSTEM VERSIONING", "add-column"]]);
});
