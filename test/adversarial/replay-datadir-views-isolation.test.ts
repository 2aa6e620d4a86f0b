/**
 * Since the sandbox's data directory files are views of the tar it was started from
 * (pglite-datadir.ts), a replay's writes land in that tar's bytes. They must stay in the sandbox
 * thread's own copy: never in the host's kept unpacked tar (unpacked-states.ts hands the same one
 * to every start from a packed array), never in the packed template, never in what the next
 * start from the same template reads. Two production sandboxes (runInSandbox: a worker thread
 * each, lib/ built) from one template: the first writes catalog pages in place, a setting in
 * postgresql.auto.conf, a file in the data directory and a checkpoint; the second must find a
 * fresh database and both arrays must be byte for byte as before.
 */
import { afterAll, expect, jest, test } from "@jest/globals";
import { createHash } from "node:crypto";
import { runInSandbox } from "../../src/replay/run-in-worker.js";
import type { ReplayJob } from "../../src/replay/types.js";
import { forgetUnpackedStates, withUnpackedStates } from "../../src/replay/unpacked-states.js";
import { pgliteTemplate } from "../replay/support.js";
import { pgliteJob } from "../support/replay-job.js";

jest.setTimeout(180_000);
afterAll(() => forgetUnpackedStates());

const limits = { statementTimeoutMs: 60_000, budgetMs: 150_000 };
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

function job(template: Uint8Array, ups: string[]): ReplayJob {
  return pgliteJob({
    base: { template, files: [] },
    ups: ups.map((text, i) => ({ path: `m/${i + 1}_x.up.sql`, version: String(i + 1), text })),
  });
}

// The migrations run as the database's owner (engines/pglite-owner.ts): the writes are an
// owner's (a catalog row through COMMENT, the database's settings, a large object, a rewritten
// catalog's VACUUM FULL skipped with a warning); a superuser's (ALTER SYSTEM, COPY TO a file,
// catalog DML) are refused before they write (replay-superuser-catalog-writes.test.ts).
test("a replay's writes reach neither the host's kept tar, the template, nor the next start from it", async () => {
  const template = await pgliteTemplate();
  const kept = (await withUnpackedStates(job(template, []))).base.template!;
  expect(kept).not.toBe(template); // the unpacked tar the next starts are sent
  const before = { packed: digest(template), kept: digest(kept) };

  const first = await runInSandbox(
    job(template, [
      "CREATE TABLE evil (id int PRIMARY KEY, v text);\nINSERT INTO evil SELECT g, repeat('x', 500) FROM generate_series(1, 2000) g;\nCOMMENT ON DATABASE postgres IS 'touched';\nCOMMENT ON SCHEMA public IS 'rewritten';",
      "ALTER DATABASE postgres SET work_mem = '77MB';",
      "SELECT lo_from_bytea(4242, 'planted');",
      "VACUUM FULL pg_catalog.pg_class;",
      "CHECKPOINT;",
    ]),
    limits,
  );
  expect(first.abort).toBeUndefined();
  expect(first.result?.ups.map((u) => u.error?.message ?? "ok")).toEqual([
    "ok",
    "ok",
    "ok",
    "ok",
    "ok",
  ]);
  expect({ packed: digest(template), kept: digest(kept) }).toEqual(before);
  // The next start from the same packed array is sent the same kept tar.
  expect((await withUnpackedStates(job(template, []))).base.template).toBe(kept);

  const second = await runInSandbox(
    job(template, [
      "DO $$ BEGIN\n" +
        "  IF to_regclass('public.evil') IS NOT NULL THEN RAISE EXCEPTION 'evil is here'; END IF;\n" +
        "  IF shobj_description((SELECT oid FROM pg_database WHERE datname = 'postgres'), 'pg_database') = 'touched' THEN RAISE EXCEPTION 'comment is here'; END IF;\n" +
        "  IF obj_description('public'::regnamespace, 'pg_namespace') = 'rewritten' THEN RAISE EXCEPTION 'catalog row is here'; END IF;\n" +
        "  IF current_setting('work_mem') = '77MB' THEN RAISE EXCEPTION 'setting is here'; END IF;\n" +
        "  IF EXISTS (SELECT FROM pg_largeobject_metadata WHERE oid = 4242) THEN RAISE EXCEPTION 'large object is here'; END IF;\n" +
        "END $$;",
    ]),
    limits,
  );
  expect(second.abort).toBeUndefined();
  expect(second.result?.ups[0]?.error?.message).toBeUndefined();
  expect(second.result?.ups[0]?.ok).toBe(true);
  expect({ packed: digest(template), kept: digest(kept) }).toEqual(before);
});
