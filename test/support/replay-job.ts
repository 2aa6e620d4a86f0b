/**
 * A PGlite replay job for the sandbox's own tests: no merged files, no change, nothing asked of
 * the run beyond the replay; `over` replaces whole fields (`base`, `ups`, `wantSnapshot`…).
 * Kept apart from test/replay/support.ts, which loads the whole analysis.
 */
import type { ReplayJob } from "../../src/replay/types.js";

export function pgliteJob(over: Partial<ReplayJob> = {}): ReplayJob {
  return {
    engine: "pglite",
    directory: "m",
    multiStatement: false,
    base: { files: [] },
    ups: [],
    downs: [],
    extensions: [],
    wantSnapshot: false,
    wantTemplate: false,
    migrationsTable: "schema_migrations",
    ...over,
  };
}
