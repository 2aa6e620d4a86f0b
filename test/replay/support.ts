/** Run the replay check through core/analyze on a ChangeSet built in memory (real engines). */
import { defaultConfig } from "../../src/config/load.js";
import type { Config, DirectoryConfig } from "../../src/config/types.js";
import { analyze } from "../../src/core/analyze.js";
import type { Finding, Report, ReportSection } from "../../src/core/types.js";
import type { DatabaseResolver } from "../../src/replay/external/select.js";
import { templateKey } from "../../src/replay/cache.js";
import { ENGINES, type ReplayCheckOptions } from "../../src/replay/check.js";
import { PgliteEngine } from "../../src/replay/engines/pglite.js";
import { createReplayCheck, type SnapshotCache } from "../../src/replay/index.js";
import type { ReplayResult } from "../../src/replay/types.js";
import { blobId, changeSet } from "../support/changeset.js";
import { SHARED_TEMPLATES, testCache } from "../support/replay-templates.js";

export { seedCacheDir, testCache } from "../support/replay-templates.js";

export const DIR = "migrations";

/** Merged migrations the scenarios build on, per engine. */
export const BASES = {
  /** PGlite: users, orders with a NOT VALID foreign key, accounts. */
  pglite: {
    "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
    "2_orders.up.sql":
      "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n" +
      "CREATE TABLE accounts (id bigint PRIMARY KEY);\n",
    "2_orders.down.sql": "DROP TABLE accounts;\nDROP TABLE orders;\n",
  },
  /** A PostgreSQL server: users, orders with a NOT VALID foreign key, an enum. */
  postgresServer: {
    "1_users.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n",
    "1_users.down.sql": "DROP TABLE users;\n",
    "2_orders.up.sql":
      "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint);\n" +
      "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;\n" +
      "CREATE TYPE status AS ENUM ('new', 'paid');\n",
    "2_orders.down.sql": "DROP TYPE status;\nDROP TABLE orders;\n",
  },
  sqlite: {
    "1_users.up.sql":
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n",
    "1_users.down.sql": "DROP TABLE posts;\nDROP TABLE users;\n",
  },
  mysql: {
    "1_users.up.sql":
      "CREATE TABLE users (\n  id bigint PRIMARY KEY,\n  email varchar(320) NOT NULL\n) ENGINE=InnoDB;\n",
    "1_users.down.sql": "DROP TABLE users;\n",
    "2_orders.up.sql":
      "CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint NOT NULL,\n  CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id));\n",
    "2_orders.down.sql": "DROP TABLE orders;\n",
  },
} satisfies Record<string, Record<string, string>>;

export interface Scenario {
  /** Merged migrations: name → content. */
  base?: Record<string, string>;
  /** The change: name → content (added files in the migration directory). */
  add: Record<string, string>;
  dialect?: DirectoryConfig["dialect"];
  multiStatement?: boolean;
  /** directories[].migrationsTable. */
  migrationsTable?: string;
  replay?: Partial<Config["replay"]>;
  cache?: SnapshotCache;
  /** Database servers the check may use (none: PGlite for postgres, no replay for mysql). */
  databases?: DatabaseResolver;
  /** createReplayCheck's serverGraceMs: how long the watchdog leaves a server to stop a statement. */
  serverGraceMs?: number;
  /** Stands in for reading the base files from `base` (still counted in reads and batches). */
  readBase?: ReplayCheckOptions["readBase"];
}

export interface ReplayRun {
  report: Report;
  /** Replay findings only (rules of src/core/rules/replay). */
  findings: Finding[];
  section: ReportSection | undefined;
  data: (ReplayResult & { fromCache: boolean; abort?: { reason: string } }) | undefined;
  /** Base files the check asked for. */
  reads: string[];
  /** readBase calls (one per directory at most). */
  batches: number;
}

const REPLAY_IDS = new Set([
  "replay-up-failed",
  "replay-down-failed",
  "down-does-not-restore-schema",
  "up-not-reapplicable",
  "lock-access-exclusive",
  "replay-skipped",
]);

export async function runScenario(s: Scenario): Promise<ReplayRun> {
  const base = s.base ?? {};
  const config = defaultConfig();
  config.directories = [
    {
      path: DIR,
      dialect: s.dialect ?? "postgres",
      multiStatement: s.multiStatement ?? false,
      ...(s.migrationsTable ? { migrationsTable: s.migrationsTable } : {}),
    },
  ];
  config.replay = { ...config.replay, ...s.replay };
  const reads: string[] = [];
  let batches = 0;
  const check = createReplayCheck({
    cache: s.cache ?? testCache(),
    ...(s.databases ? { databases: s.databases } : {}),
    ...(s.serverGraceMs === undefined ? {} : { serverGraceMs: s.serverGraceMs }),
    readBase: async (files) => {
      batches++;
      if (s.readBase) {
        reads.push(...files.map((f) => f.path));
        return s.readBase(files);
      }
      return files.map(({ path, oid }) => {
        reads.push(path);
        const text = base[path.slice(DIR.length + 1)];
        if (text === undefined) throw new Error(`no base file ${path}`);
        if (oid !== blobId(text)) throw new Error(`${path} asked with blob id ${oid}`);
        return Buffer.from(text);
      });
    },
  });
  const cs = changeSet({
    base: { [DIR]: base },
    add: Object.fromEntries(Object.entries(s.add).map(([n, c]) => [`${DIR}/${n}`, c])),
  });
  const { report } = await analyze(config, cs, {
    tool: { name: "migration-warden", version: "test" },
    dynamic: [check],
  });
  const section = report.sections.find((x) => x.id === `replay:${DIR}`);
  return {
    report,
    findings: report.findings.filter((f) => REPLAY_IDS.has(f.ruleId)),
    section,
    data: section?.data as ReplayRun["data"],
    reads,
    batches,
  };
}

/** Replay findings as "rule path:line" for compact assertions. */
export function summary(findings: readonly Finding[]): string[] {
  return findings.map((f) => `${f.ruleId} ${f.path.slice(DIR.length + 1)}:${f.startLine}`);
}

/** PGlite's fresh database, from the shared templates (made once when there is none). */
export async function pgliteTemplate(): Promise<Uint8Array> {
  const key = templateKey(ENGINES.pglite);
  const shared = await SHARED_TEMPLATES.get(key).catch(() => null);
  if (shared?.kind === "state") return shared.data;
  const engine = await PgliteEngine.create({
    extensions: [],
    progress: () => undefined,
    wantTemplate: true,
  });
  try {
    const data = await engine.template();
    await SHARED_TEMPLATES.set(key, { kind: "state", data, extensions: [], files: 0 });
    return data;
  } finally {
    await engine.close();
  }
}
