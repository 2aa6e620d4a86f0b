/** Run the replay check through core/analyze on a ChangeSet built in memory (real engines). */
import { defaultConfig } from "../../src/config/load.js";
import type { Config, DirectoryConfig } from "../../src/config/types.js";
import { analyze } from "../../src/core/analyze.js";
import type { Finding, Report, ReportSection } from "../../src/core/types.js";
import type { DatabaseResolver } from "../../src/replay/external/select.js";
import { createReplayCheck, MemoryCache, type SnapshotCache } from "../../src/replay/index.js";
import type { ReplayResult } from "../../src/replay/types.js";
import { blobId, changeSet } from "../support/changeset.js";

export const DIR = "migrations";

export interface Scenario {
  /** Merged migrations: name → content. */
  base?: Record<string, string>;
  /** The change: name → content (added files in the migration directory). */
  add: Record<string, string>;
  dialect?: DirectoryConfig["dialect"];
  multiStatement?: boolean;
  replay?: Partial<Config["replay"]>;
  cache?: SnapshotCache;
  /** Database servers the check may use (none: PGlite for postgres, no replay for mysql). */
  databases?: DatabaseResolver;
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
    { path: DIR, dialect: s.dialect ?? "postgres", multiStatement: s.multiStatement ?? false },
  ];
  config.replay = { ...config.replay, ...s.replay };
  const reads: string[] = [];
  let batches = 0;
  const check = createReplayCheck({
    cache: s.cache ?? new MemoryCache(),
    ...(s.databases ? { databases: s.databases } : {}),
    readBase: async (files) => {
      batches++;
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
