/**
 * Templates are now initdb's cleanly shut down data directory; before, they were a snapshot of
 * the running database taken right after its start, and every replay from one began with a crash
 * recovery. A replay from the new template must report exactly what one from the old form did:
 * locks, schema and catalog, errors, the down checks. Anything a crash recovery used to reset (a
 * setting, a file initdb leaves, statistics, the OID and transaction counters) must not show in
 * what the replay reports. The old form is made here the way it was (`snapshot()` of a sandbox
 * just started from the template). Rule-doc examples compared the same way against main's build
 * (53 of them, review rev11b) were identical too.
 */
import { beforeAll, expect, jest, test } from "@jest/globals";
import { PgliteEngine, type PgliteModules } from "../../src/replay/engines/pglite.js";
import { runReplay } from "../../src/replay/runner.js";
import type { ReplayResult } from "../../src/replay/types.js";
import { pgliteModules } from "../../src/replay/run-in-worker.js";
import { pgliteTemplate } from "../replay/support.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(180_000);

const progress = () => undefined;
let modules: PgliteModules;
let fresh: Uint8Array;
let running: Uint8Array;

beforeAll(async () => {
  // Compiled as production compiles it (Liftoff alone), once per process.
  modules = await pgliteModules();
  fresh = await pgliteTemplate();
  const engine = await PgliteEngine.create({ extensions: [], progress, snapshot: fresh, modules });
  try {
    running = await engine.snapshot();
  } finally {
    await engine.close();
  }
});

const BASE =
  "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL, name text);\n" +
  "CREATE TABLE orders (id bigserial PRIMARY KEY, user_id bigint, amount numeric, created_at timestamptz);\n" +
  "INSERT INTO users VALUES (1, 'a@example.com', 'a');\nCREATE TYPE mood AS ENUM ('sad', 'ok');\n";

const CHANGES: Array<[string, string]> = [
  [
    "ALTER TABLE orders ALTER COLUMN amount TYPE numeric(12,2);\nCREATE INDEX orders_user ON orders (user_id);\nALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);\n",
    "ALTER TABLE orders DROP CONSTRAINT orders_user_fk;\nDROP INDEX orders_user;\nALTER TABLE orders ALTER COLUMN amount TYPE numeric;\n",
  ],
  [
    "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\nALTER TYPE mood ADD VALUE 'happy';\nCREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY, at timestamptz DEFAULT now());\nCREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.at := now(); RETURN NEW; END $$;\nCREATE TRIGGER events_touch BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION touch();\nINSERT INTO events DEFAULT VALUES;\n",
    "DROP TABLE events;\nDROP FUNCTION touch();\nALTER TABLE users DROP COLUMN token;\n",
  ],
  [
    "ALTER TABLE users ALTER COLUMN name SET NOT NULL;\nCREATE VIEW v AS SELECT id, email FROM users;\nALTER TABLE users RENAME COLUMN email TO mail;\nALTER TABLE missing ADD COLUMN x int;\n",
    "DROP VIEW v;\n",
  ],
];

async function replay(template: Uint8Array, [up, down]: [string, string]): Promise<unknown> {
  const job = pgliteJob({
    base: { template, files: [{ path: "m/1_base.up.sql", version: "1", text: BASE }] },
    ups: [{ path: "m/2_change.up.sql", version: "2", text: up }],
    downs: [{ path: "m/2_change.down.sql", version: "2", text: down }],
    wantSchema: true,
  });
  const result: ReplayResult = await runReplay(job, {
    createEngine: (opts) => PgliteEngine.create({ ...opts, modules }),
    progress,
    partial: () => undefined,
  });
  return JSON.parse(JSON.stringify(result, (k, v: unknown) => (k === "ms" ? undefined : v)));
}

test.each(CHANGES.map((c, i) => [i, c] as const))(
  "change %i: a replay from initdb's directory reports what one from a running database's snapshot did",
  async (_, change) => {
    const before = await replay(running, change);
    const now = await replay(fresh, change);
    expect(now).toEqual(before);
    // Something to compare: the change ran with its locks observed, or failed with its error.
    expect((now as ReplayResult).ups).toHaveLength(1);
    expect(JSON.stringify(now)).toMatch(/Lock|"error"/);
  },
);
