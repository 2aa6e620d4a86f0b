/**
 * Downs that leave behind what the Postgres fingerprint did not read: the replay compared the
 * schema after up+down with the one before and found them equal, so `down-does-not-restore-schema`
 * stayed silent while the database kept a grant, a replica identity, a column's storage, an index
 * to CLUSTER on, extended statistics, a publication or an event trigger. Each change below is its
 * own migration, with a down that does not undo it; downs that do undo them stay silent (no noise
 * from reading more of the catalog).
 */
import { expect, jest, test } from "@jest/globals";
import { PgliteEngine } from "../../src/replay/engines/pglite.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { BASES, pgliteTemplate, runScenario, testCache } from "../replay/support.js";

jest.setTimeout(180_000);

const cache = testCache();
const base = BASES.pglite;

/** The down-does-not-restore-schema message for one change (a migration 3 on the base's two). */
async function notRestored(up: string, down: string): Promise<string | undefined> {
  const r = await runScenario({
    base,
    add: { "3_change.up.sql": `${up}\n`, "3_change.down.sql": `${down}\n` },
    cache,
  });
  expect(r.findings.filter((f) => f.ruleId.startsWith("replay-"))).toEqual([]);
  return r.findings.find((f) => f.ruleId === "down-does-not-restore-schema")?.message;
}

// [up, down that does not undo it, what the finding says]
const LEFT_BEHIND: Array<[string, string, RegExp]> = [
  // FORCE alone, with RLS disabled (the next ENABLE applies policies to the owner too).
  [
    "ALTER TABLE accounts FORCE ROW LEVEL SECURITY;",
    "SELECT 1;",
    /table `accounts` differs: rowSecurity `disabled` → `disabled \(forced when enabled\)`/,
  ],
  ["ALTER TABLE users REPLICA IDENTITY FULL;", "SELECT 1;", /replicaIdentity none → `full`/],
  [
    "ALTER TABLE users ALTER email SET STORAGE EXTERNAL;",
    "SELECT 1;",
    /column `users.email` differs: storage none → `external`/,
  ],
  ["ALTER TABLE users ALTER email SET COMPRESSION pglz;", "SELECT 1;", /compression none → `pglz`/],
  [
    "ALTER TABLE orders ALTER user_id SET STATISTICS 1000;",
    "SELECT 1;",
    /statistics none → `1000`/,
  ],
  [
    "ALTER TABLE orders ALTER user_id SET (n_distinct = -0.5);",
    "SELECT 1;",
    /options none → `n_distinct=-0.5`/,
  ],
  [
    "ALTER TABLE users CLUSTER ON users_pkey;",
    "SELECT 1;",
    /index `users_pkey` differs: clustered none → true/,
  ],
  [
    "GRANT SELECT ON users TO PUBLIC;",
    "SELECT 1;",
    /privilege `users TO PUBLIC` exists \(SELECT\)/,
  ],
  [
    "GRANT UPDATE (email) ON users TO PUBLIC;",
    "SELECT 1;",
    /privilege `users.email TO PUBLIC` exists \(UPDATE\)/,
  ],
  [
    "REVOKE TRUNCATE ON orders FROM CURRENT_USER;",
    "SELECT 1;",
    /privilege `orders TO \(owner\)` exists/,
  ],
  [
    "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;",
    "SELECT 1;",
    /privilege `\(default\) ON TABLES TO PUBLIC` exists \(SELECT\)/,
  ],
  [
    "CREATE STATISTICS orders_dep (dependencies) ON id, user_id FROM orders;",
    "SELECT 1;",
    /statistics `orders_dep` exists/,
  ],
  // FOR ALL TABLES needs a superuser; the owner publishes its own tables.
  [
    "CREATE PUBLICATION everything FOR TABLE users, orders;",
    "SELECT 1;",
    /publication `everything` exists/,
  ],
];

test.each(LEFT_BEHIND)("up %s, down %s: down-does-not-restore-schema", async (up, down, says) => {
  expect(await notRestored(up, down)).toMatch(says);
});

// Downs that undo them stay silent: reading more of the catalog adds no noise.
test.each([
  ["ALTER TABLE users FORCE ROW LEVEL SECURITY;", "ALTER TABLE users NO FORCE ROW LEVEL SECURITY;"],
  ["ALTER TABLE users REPLICA IDENTITY FULL;", "ALTER TABLE users REPLICA IDENTITY DEFAULT;"],
  [
    "ALTER TABLE users ALTER email SET STORAGE EXTERNAL, ALTER email SET STATISTICS 50;",
    "ALTER TABLE users ALTER email SET STORAGE EXTENDED, ALTER email SET STATISTICS -1;",
  ],
  ["ALTER TABLE users CLUSTER ON users_pkey;", "ALTER TABLE users SET WITHOUT CLUSTER;"],
  [
    "GRANT SELECT ON users TO PUBLIC;\nREVOKE TRUNCATE ON orders FROM CURRENT_USER;",
    "GRANT TRUNCATE ON orders TO CURRENT_USER;\nREVOKE SELECT ON users FROM PUBLIC;",
  ],
  [
    "ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO PUBLIC;",
    "ALTER DEFAULT PRIVILEGES REVOKE SELECT ON TABLES FROM PUBLIC;",
  ],
  ["CREATE PUBLICATION p FOR TABLE users;", "DROP PUBLICATION p;"],
])("up %s, down %s: restored", async (up, down) => {
  expect(await notRestored(up, down)).toBeUndefined();
});

// An event trigger needs a superuser, which migrations are not (engines/pglite-owner.ts): a
// migration's is a replay limitation, never a verified down. The fingerprint still reads one, as a
// superuser leaves it in a live database (what `drift` compares).
const EVENT_TRIGGER =
  "CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;\n" +
  "CREATE EVENT TRIGGER on_ddl ON ddl_command_start WHEN TAG IN ('DROP TABLE') EXECUTE FUNCTION on_ddl();";

test("a migration's event trigger stops the replay as a limitation", async () => {
  const r = await runScenario({
    base,
    add: { "3_change.up.sql": `${EVENT_TRIGGER}\n`, "3_change.down.sql": "SELECT 1;\n" },
    cache,
  });
  const skipped = r.findings.filter((f) => f.ruleId === "replay-skipped");
  expect(skipped.map((f) => [f.severity, f.startLine])).toEqual([["warning", 2]]);
  expect(skipped[0]?.message).toMatch(/event trigger/);
  expect(r.findings.some((f) => f.ruleId === "down-does-not-restore-schema")).toBe(false);
});

test("the fingerprint reads an event trigger a superuser made", async () => {
  const engine = await PgliteEngine.create({
    extensions: [],
    progress: () => undefined,
    snapshot: await pgliteTemplate(),
    modules: await pgliteModules(),
  });
  try {
    // The owner switch off: SQL as the sandbox's superuser, as a DBA's by hand in production.
    (engine as unknown as { owner: unknown }).owner = { run: (f: () => Promise<unknown>) => f() };
    const made = await engine.runFile(
      { path: "m/1_a.up.sql", version: "1", text: `${EVENT_TRIGGER}\n` },
      { phase: "base", observeLocks: false, multiStatement: false },
    );
    expect(made.error?.message).toBeUndefined();
    const schema = await engine.schema();
    expect(schema["event-trigger on_ddl"]?.attrs.definition).toMatch(
      /^ON ddl_command_start WHEN TAG IN \(DROP TABLE\) EXECUTE FUNCTION public\.on_ddl\(\)$/,
    );
  } finally {
    await engine.close();
  }
});
