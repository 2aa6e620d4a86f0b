/**
 * `createReplayCheck`: the sandbox replay as a DynamicCheck for core/analyze.ts. Adapters supply
 * how to read base files in bulk (CLI: one `git cat-file --batch`; app: one GraphQL request per
 * directory) and a snapshot cache.
 */
import type { DynamicCheck, DynamicCheckInput, DynamicCheckResult } from "../core/analyze.js";
import type { DirectoryModel, MigrationFile } from "../core/migrations/directory.js";
import { isNewVersion } from "../core/migrations/directory.js";
import { whyNotAnalyzable } from "../core/migrations/analyzable.js";
import { decodeSql } from "../core/sql/decode.js";
import {
  MemoryCache,
  prefixKeys,
  templateKey,
  type CacheEntry,
  type SnapshotCache,
} from "./cache.js";
import { PGLITE_VERSION, SQLJS_VERSION } from "./engines/catalog.js";
import { runOnServer } from "./external/host.js";
import type { ServerTarget } from "./external/sandbox.js";
import type { DatabaseResolver } from "./external/select.js";
import { mentionedExtensions } from "./golang-migrate.js";
import { runInSandbox, type SandboxOutcome } from "./host.js";
import { reportReplay, skipped, type ReplayFinding, type ReplayPlan } from "./report.js";
import type { EngineKind, MigrationText, ReplayJob } from "./types.js";

/** A merged file to read: repo-relative path, and its git blob id when the listing gave one. */
export interface BaseFile {
  path: string;
  oid?: string;
}

export interface ReplayCheckOptions {
  /**
   * Bytes of base files, in the order asked. Called at most once per directory and only for the
   * files after the longest cached prefix, so an adapter can read them all at once. Throwing
   * skips the replay of that directory with a notice.
   */
  readBase(files: readonly BaseFile[]): Promise<Uint8Array[]>;
  /** Where base states are kept between runs (default: in memory, 256 MiB). */
  cache?: SnapshotCache;
  /**
   * Which database server a postgres or mysql directory replays on (external/select.ts). Without
   * it, postgres uses PGlite and mysql is not replayed.
   */
  databases?: DatabaseResolver;
}

/** Embedded engines and their versions, for cache keys (servers' states are not cached). */
export const ENGINES: Record<"pglite" | "sqljs", string> = {
  pglite: `pglite@${PGLITE_VERSION}`,
  sqljs: `sql.js@${SQLJS_VERSION}`,
};

interface Prepared {
  plan: ReplayPlan;
  engine: EngineKind;
  /** Set for a database server (engine postgres-server or mysql-server). */
  target?: ServerTarget;
  model: DirectoryModel;
  ups: MigrationText[];
  downs: Array<MigrationText | null>;
  baseFiles: MigrationFile[];
}

type Preparation =
  { kind: "none" } | { kind: "skip"; finding: ReplayFinding } | { kind: "run"; p: Prepared };

function versionOrder(a: MigrationFile, b: MigrationFile): number {
  const va = a.parsed!.version;
  const vb = b.parsed!.version;
  return va < vb ? -1 : va > vb ? 1 : 0;
}

/** Up/down files golang-migrate loads from a listing; null with the reason when it refuses. */
function loaded(
  files: readonly MigrationFile[],
): { ups: MigrationFile[]; downs: MigrationFile[] } | string {
  const seen = new Set<string>();
  for (const f of files) {
    if (!f.parsed) continue;
    const k = `${f.parsed.version}:${f.parsed.direction}`;
    if (seen.has(k))
      return `duplicate migration version ${f.parsed.version} (${f.parsed.direction}): golang-migrate refuses the directory`;
    seen.add(k);
  }
  const usable = files.filter((f) => f.parsed && f.kind === "file");
  return {
    ups: usable.filter((f) => f.parsed!.direction === "up").sort(versionOrder),
    downs: usable.filter((f) => f.parsed!.direction === "down"),
  };
}

function prepare(
  model: DirectoryModel,
  input: DynamicCheckInput,
  databases: DatabaseResolver | undefined,
): Preparation {
  const dir = model.config;
  const head = loaded(model.head);
  const newUps =
    typeof head === "string"
      ? model.head.filter(
          (f) => f.parsed?.direction === "up" && f.change && isNewVersion(model, f.parsed.version),
        )
      : head.ups.filter((f) => model.mode === "paths" || isNewVersion(model, f.parsed!.version));
  if (newUps.length === 0) return { kind: "none" };
  const first = newUps[0]!.path;
  const skip = (message: string): Preparation => ({
    kind: "skip",
    finding: skipped(first, message),
  });

  let engine: EngineKind;
  let target: ServerTarget | undefined;
  const notes: string[] = [];
  if (dir.dialect === "postgres" || dir.dialect === "mysql") {
    const choice = databases?.(dir.dialect, input.config.replay.databaseUrl) ?? { kind: "none" };
    if (choice.kind === "server") {
      engine = dir.dialect === "postgres" ? "postgres-server" : "mysql-server";
      target = choice.target;
    } else if (dir.dialect === "postgres") {
      engine = "pglite";
      if (choice.reason) notes.push(`Not replayed on a database server: ${choice.reason}.`);
    } else
      return skip(
        choice.reason
          ? `Replay skipped: ${choice.reason}; there is no embedded MySQL.`
          : "Replay skipped: there is no embedded MySQL. To replay MySQL migrations, point replay.databaseUrl at a disposable MySQL server (docs/replay.md).",
      );
  } else if (dir.dialect === "sqlite") engine = "sqljs";
  else return { kind: "none" };

  if (typeof head === "string") return skip(`Replay skipped: ${head}.`);
  const baseLoaded = loaded(model.base);
  if (typeof baseLoaded === "string")
    return skip(`Replay skipped: the merged directory has a ${baseLoaded}.`);

  const text = (f: MigrationFile): MigrationText | null => {
    const src = input.sources.get(f.path);
    // Files the core cannot analyse (too large, binary, symlinks) are reported by the core.
    if (!src || whyNotAnalyzable(f, model.contents.get(f.path), input.config.limits.maxFileBytes))
      return null;
    return { path: f.path, version: f.parsed!.version.toString(), text: src.text };
  };
  const ups: MigrationText[] = [];
  const downs: Array<MigrationText | null> = [];
  for (const f of newUps) {
    const up = text(f);
    if (up === null) return { kind: "none" };
    ups.push(up);
    const downFile = head.downs.find((d) => d.parsed!.version === f.parsed!.version);
    if (!downFile) {
      downs.push(null);
      continue;
    }
    const down = text(downFile);
    if (down === null) return { kind: "none" };
    downs.push(down);
  }

  const strip = (m: MigrationText) => ({ path: m.path, version: m.version });
  return {
    kind: "run",
    p: {
      engine,
      ...(target ? { target } : {}),
      model,
      ups,
      downs,
      baseFiles: baseLoaded.ups,
      plan: {
        directory: dir.path,
        dialect: dir.dialect,
        multiStatement: dir.dialect === "postgres" && dir.multiStatement,
        ups: ups.map(strip),
        downs: downs.map((d) => (d ? strip(d) : null)),
        baseFiles: baseLoaded.ups.length,
        notes,
      },
    },
  };
}

export function createReplayCheck(options: ReplayCheckOptions): DynamicCheck {
  const cache = options.cache ?? new MemoryCache();
  return {
    name: "replay",
    async run(input: DynamicCheckInput): Promise<DynamicCheckResult> {
      const result: DynamicCheckResult = { findings: [], sections: [] };
      const { replay } = input.config;
      if (!replay.enabled) return result;
      const deadline = performance.now() + replay.timeBudgetMs;

      for (const model of input.models) {
        const prep = prepare(model, input, options.databases);
        if (prep.kind === "none") continue;
        if (prep.kind === "skip") {
          result.findings.push(prep.finding);
          continue;
        }
        const { findings, section } = await replayDirectory(prep.p, options.readBase, cache, {
          statementTimeoutMs: replay.statementTimeoutMs,
          budgetMs: deadline - performance.now(),
        });
        result.findings.push(...findings);
        if (section) result.sections.push(section);
      }
      return result;
    },
  };
}

/**
 * Fresh databases (the state initdb leaves) by template key. They depend on the engine alone, not
 * on any repository, so the process keeps them besides the cache: a new cache (an app instance,
 * a test) does not pay initdb (seconds in WASM) again.
 */
const templates = new Map<string, Uint8Array>();

async function templateFor(cache: SnapshotCache, key: string): Promise<CacheEntry | null> {
  const cached = await cache.get(key).catch(() => null);
  if (cached) return cached;
  const kept = templates.get(key);
  if (!kept) return null;
  const entry: CacheEntry = { kind: "state", data: kept, extensions: [], files: 0 };
  await cache.set(key, entry).catch(() => undefined);
  return entry;
}

/** The longest prefix of the base with a cache entry, as [number of files, entry]. */
async function longestCached(
  cache: SnapshotCache,
  keys: readonly string[],
): Promise<[number, CacheEntry] | null> {
  const held = await cache.holding(keys).catch(() => new Set<string>());
  for (let i = keys.length - 1; i >= 0; i--) {
    if (!held.has(keys[i]!)) continue;
    // An entry can vanish or fail its checksum between the listing and the read: try shorter.
    const entry = await cache.get(keys[i]!).catch(() => null);
    if (entry) return [i + 1, entry];
  }
  return null;
}

async function replayDirectory(
  p: Prepared,
  readBase: ReplayCheckOptions["readBase"],
  cache: SnapshotCache,
  limits: { statementTimeoutMs: number; budgetMs: number },
): Promise<{ findings: ReplayFinding[]; section?: DynamicCheckResult["sections"][number] }> {
  const first = p.ups[0]!.path;
  if (limits.budgetMs <= 0)
    return {
      findings: [
        skipped(
          first,
          "Replay skipped: the replay time budget (replay.timeBudgetMs) was used up by other directories.",
        ),
      ],
    };
  const job = (files: MigrationText[]): ReplayJob => ({
    engine: p.engine,
    directory: p.plan.directory,
    multiStatement: p.plan.multiStatement,
    base: { files },
    ups: p.ups,
    downs: p.downs,
    extensions: [
      ...new Set(
        p.ups.concat(p.downs.filter((d) => d !== null)).flatMap((m) => mentionedExtensions(m.text)),
      ),
    ],
    wantSnapshot: false,
    wantTemplate: false,
  });

  if (p.target) {
    // A server's state cannot be restored: every replay applies the whole merged history.
    const files = await readBaseTexts(p.baseFiles, readBase);
    if (typeof files === "string") return { findings: [skipped(first, files)] };
    const outcome = await runOnServer(job(files), p.target, limits);
    return reportReplay(p.plan, outcome);
  }

  const engine = p.engine as keyof typeof ENGINES;
  const engineId = ENGINES[engine];
  // Keys exist for the files before the first one without a blob id (then nothing is stored).
  const noOid = p.baseFiles.findIndex((f) => f.oid === undefined);
  const keys = prefixKeys({
    engine: engineId,
    multiStatement: p.plan.multiStatement,
    files: p.baseFiles
      .slice(0, noOid === -1 ? undefined : noOid)
      .map((f) => [f.name, f.oid!] as const),
  });
  const cached = await longestCached(cache, keys);

  if (cached?.[1].kind === "failed") {
    // A failing file fails every history that extends the prefix ending with it.
    const f = cached[1].failure;
    return {
      findings: [
        skipped(
          first,
          `Replay skipped: the merged migration ${f.path} does not apply in the sandbox (line ${f.line}: ${f.error.message}). The base history must apply before the change can be checked; this says nothing against this change.`,
        ),
      ],
    };
  }
  const restored = cached?.[1].kind === "state" ? cached[1] : undefined;
  const files = await readBaseTexts(p.baseFiles.slice(restored?.files ?? 0), readBase);
  if (typeof files === "string") return { findings: [skipped(first, files)] };

  const tKey = engine === "pglite" && !restored ? templateKey(engineId) : null;
  const template = tKey ? await templateFor(cache, tKey) : null;
  const sandboxJob: ReplayJob = {
    ...job(files),
    wantSnapshot: keys.length === p.baseFiles.length && files.length > 0,
    wantTemplate: tKey !== null && template === null,
  };
  if (restored)
    sandboxJob.base.restore = {
      data: restored.data,
      extensions: restored.extensions,
      files: restored.files,
    };
  if (template?.kind === "state") sandboxJob.base.template = template.data;

  const outcome: SandboxOutcome = await runInSandbox(sandboxJob, limits);
  const r = outcome.result;
  if (r && !outcome.abort) {
    const store = async (k: string, e: CacheEntry) => cache.set(k, e).catch(() => undefined);
    if (r.template) {
      templates.set(templateKey(engineId), r.template);
      await store(templateKey(engineId), {
        kind: "state",
        data: r.template,
        extensions: [],
        files: 0,
      });
    }
    if (r.snapshot)
      await store(keys[keys.length - 1]!, {
        kind: "state",
        data: r.snapshot,
        extensions: r.baseExtensions,
        files: r.base.files,
      });
    const failed = r.baseFailure
      ? p.baseFiles.findIndex((f) => f.path === r.baseFailure!.path)
      : -1;
    if (failed >= 0 && failed < keys.length)
      await store(keys[failed]!, {
        kind: "failed",
        files: failed + 1,
        engine: r.engine,
        failure: r.baseFailure!,
      });
  }
  return reportReplay(p.plan, outcome);
}

/** The merged files' texts (one readBase call), or why they could not be read. */
async function readBaseTexts(
  toApply: readonly MigrationFile[],
  readBase: ReplayCheckOptions["readBase"],
): Promise<MigrationText[] | string> {
  if (toApply.length === 0) return [];
  let texts: Uint8Array[];
  try {
    texts = await readBase(
      toApply.map((f) => (f.oid === undefined ? { path: f.path } : { path: f.path, oid: f.oid })),
    );
    if (texts.length !== toApply.length)
      throw new Error(`${texts.length} files came back for ${toApply.length} asked`);
  } catch (err) {
    return `Replay skipped: merged migrations could not be read (${(err as Error).message}).`;
  }
  return toApply.map((f, i) => ({
    path: f.path,
    version: f.parsed!.version.toString(),
    text: decodeSql(texts[i]!).text,
  }));
}
