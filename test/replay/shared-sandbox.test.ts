/**
 * The shared test sandbox (test/support/shared-sandbox.ts) against a case that tries to leave
 * something behind for the next one: a role, a schema and its table, a sequence's value, a table
 * with serial and identity columns, a database and a role setting, a large object. (A file it
 * cannot leave: migrations run as the database's owner, not a superuser, and may not write the
 * sandbox's file system — engines/pglite-owner.ts; the worker's digest still lists the files.)
 * The next case must
 * find none of it (its result equals a fresh sandbox's, as in production); what the reset cannot
 * undo must cost the kept database, not the next case's isolation; and the watchdog still stops a
 * job.
 */
import { setSandboxRunner } from "../../src/replay/run-in-worker.js";
import { shareSandbox } from "../support/shared-sandbox.js";
import { runScenario, type ReplayRun, type Scenario } from "./support.js";

const shared = shareSandbox();

/** What a case's result says, without timings. */
function outcome(r: ReplayRun) {
  const d = r.data;
  return {
    findings: r.findings.map((f) => `${f.ruleId} ${f.severity} ${f.message}`),
    ups: d?.ups.map((u) => [u.path, u.ok, u.error?.message ?? ""]),
    downs: d?.downs.map((u) => [u.path, u.ok, u.error?.message ?? ""]),
    reups: d?.reups.map((u) => [u.path, u.ok, u.error?.message ?? ""]),
    schemaDiff: d?.schemaDiff,
    downChecks: d?.downChecks,
    rolesCreated: d?.rolesCreated,
    abort: d?.abort,
  };
}

/** The same scenario in a fresh thread and database, as production runs it. */
async function fresh(s: Scenario): Promise<ReplayRun> {
  const previous = setSandboxRunner(null);
  try {
    return await runScenario(s);
  } finally {
    setSandboxRunner(previous);
  }
}

/** PROBE's result as production gets it, replayed once for the file. */
let probeFresh: Promise<ReturnType<typeof outcome>> | undefined;
const expectedProbe = () => (probeFresh ??= fresh(PROBE).then(outcome));

const LEAVE: Scenario = {
  add: {
    "1_leave.up.sql":
      "CREATE ROLE leftover_role;\n" +
      "CREATE SCHEMA leftover;\n" +
      "CREATE TABLE leftover.t (id bigint);\n" +
      "INSERT INTO leftover.t VALUES (1);\n" +
      "CREATE SEQUENCE public.seq;\n" +
      "SELECT setval('public.seq', 41);\n" +
      // Sequences a column owns (serial, identity): dropped with their table, not before it.
      "CREATE TABLE public.owned (id serial PRIMARY KEY, n int GENERATED ALWAYS AS IDENTITY);\n" +
      "ALTER DATABASE postgres SET work_mem = '7MB';\n" +
      "ALTER ROLE postgres SET maintenance_work_mem = '9MB';\n" +
      "SET search_path = leftover;\n" +
      "GRANT USAGE ON SCHEMA public TO leftover_role;\n" +
      "SELECT lo_from_bytea(0, 'left over');\n",
    // No down: the up's objects stay after the case.
  },
};

/** Fails at its first line that meets a leftover of LEAVE. */
const PROBE: Scenario = {
  add: {
    "1_probe.up.sql":
      "CREATE ROLE leftover_role;\n" +
      "CREATE SCHEMA leftover;\n" +
      "CREATE SEQUENCE public.seq;\n" +
      "DO $$ BEGIN\n" +
      "  IF nextval('public.seq') <> 1 THEN RAISE EXCEPTION 'sequence value carried over'; END IF;\n" +
      "  IF current_setting('work_mem') = '7MB' THEN RAISE EXCEPTION 'database setting carried over'; END IF;\n" +
      "  IF current_setting('maintenance_work_mem') = '9MB' THEN RAISE EXCEPTION 'role setting carried over'; END IF;\n" +
      "  IF current_setting('search_path') LIKE '%leftover%' THEN RAISE EXCEPTION 'search_path carried over'; END IF;\n" +
      "  IF EXISTS (SELECT FROM pg_largeobject_metadata) THEN RAISE EXCEPTION 'large object carried over'; END IF;\n" +
      "  IF shobj_description((SELECT oid FROM pg_database WHERE datname = current_database()), 'pg_database') = 'changed' THEN RAISE EXCEPTION 'comment carried over'; END IF;\n" +
      "END $$;\n" +
      "CREATE TABLE probe (id bigint PRIMARY KEY);\n" +
      "CREATE TABLE public.owned (id serial PRIMARY KEY);\n",
    "1_probe.down.sql":
      "DROP TABLE public.owned;\nDROP TABLE probe;\nDROP SEQUENCE public.seq;\nDROP SCHEMA leftover;\nDROP ROLE leftover_role;\n",
  },
};

describe("shared test sandbox", () => {
  test("a case's role, schema, sequence value, settings and large object do not reach the next case", async () => {
    const expected = await expectedProbe();
    expect(expected.ups).toEqual([["migrations/1_probe.up.sql", true, ""]]);
    const before = shared.stats;
    const left = await runScenario(LEAVE);
    expect(left.data?.ups[0]?.ok).toBe(true); // everything LEAVE does did happen
    const probe = await runScenario(PROBE);
    expect(outcome(probe)).toEqual(expected);
    const after = shared.stats;
    // The probe ran on the reused database (otherwise this test would prove nothing).
    expect(after.discarded - before.discarded).toBe(0);
    expect(after.reused - before.reused).toBe(1);
    // A file is no longer something a case can leave: the owner may not write one.
    const file = await runScenario({
      add: { "1_file.up.sql": "COPY (SELECT 1) TO '/tmp/leftover.txt';\n" },
    });
    expect(file.data?.ups[0]?.ok).toBe(false);
    expect(file.data?.ups[0]?.error?.message).toMatch(/permission denied/);
  }, 120_000);

  test("what the reset does not undo costs the kept database, never the next case's isolation", async () => {
    const expected = await expectedProbe();
    // The database's comment: its owner may set it, and the reset does not undo it.
    const commented = await runScenario({
      add: { "1_comment.up.sql": "COMMENT ON DATABASE postgres IS 'changed';\n" },
    });
    expect(commented.data?.ups[0]?.ok).toBe(true);
    const before = shared.stats;
    const probe = await runScenario(PROBE);
    expect(outcome(probe)).toEqual(expected);
    const after = shared.stats;
    expect(after.discarded - before.discarded).toBe(1);
    expect(after.lastDiscard).toContain("pg_shdescription");
  }, 120_000);

  test("the watchdog still stops a job, and the next one gets a new thread", async () => {
    const threads = shared.threads;
    const slow = await runScenario({
      add: { "1_slow.up.sql": "SELECT pg_sleep(30);\n" },
      replay: { statementTimeoutMs: 300 },
    });
    expect(slow.data?.abort?.reason).toBe("statement-timeout");
    const probe = await runScenario(PROBE);
    expect(outcome(probe)).toEqual(await expectedProbe());
    expect(shared.threads).toBe(threads + 1);
  }, 120_000);
});
