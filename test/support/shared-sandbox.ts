/**
 * One sandbox thread (and one reset PGlite database) for a test file's replays, where the tests'
 * subject is what a replay finds (rule examples, fuzz cases, fingerprints), not the sandbox's
 * isolation, start or limits. Production starts a fresh thread and a fresh database per replay
 * (src/replay/run-in-worker.ts); about 1.0 of a small replay's 1.3 CPU-s is that start.
 *
 * The limits still hold per job: the same watchdog (supervise.ts) times each job, and a job it
 * stops terminates the shared thread, so the next job gets a new one. Whether the reused database
 * equals a fresh one is proven before each reuse (shared-sandbox-worker.mjs); what cannot be
 * proven gets a fresh database. test/replay/shared-sandbox.test.ts tries to get a case's leftovers
 * into the next case.
 */
import { Worker } from "node:worker_threads";
import {
  pgliteModules,
  relayToWatch,
  setSandboxRunner,
  threadErrorReason,
  type SandboxRunner,
} from "../../src/replay/run-in-worker.js";
import { supervise, type SandboxOutcome } from "../../src/replay/supervise.js";
import type { ReplayJob, WorkerMessage } from "../../src/replay/types.js";

export interface SharedSandboxStats {
  jobs: number;
  /** Databases started from the template and kept. */
  started: number;
  /** Jobs that got the kept database, reset and proven equal to the template's start. */
  reused: number;
  /** Kept databases given up because the reset could not be proven. */
  discarded: number;
  /** Jobs that started a database of their own (a cached base state). */
  own: number;
  lastDiscard: string;
}

const WORKER = new URL("./shared-sandbox-worker.mjs", import.meta.url);

type Listener = (m: { id: number; m?: WorkerMessage; stats?: SharedSandboxStats }) => void;

export class SharedSandbox {
  private worker: Worker | null = null;
  private listener: Listener | null = null;
  private nextId = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Threads started (a job stopped by the watchdog ends one). */
  threads = 0;
  private current: SharedSandboxStats = SharedSandbox.none();
  private ended: SharedSandboxStats = SharedSandbox.none();

  private static none(): SharedSandboxStats {
    return { jobs: 0, started: 0, reused: 0, discarded: 0, own: 0, lastDiscard: "" };
  }

  private thread(maxHeapMb: number): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(WORKER, {
      stdout: true,
      stderr: true,
      resourceLimits: { maxOldGenerationSizeMb: maxHeapMb },
    });
    this.current = SharedSandbox.none();
    this.threads++;
    worker.stdout.resume();
    worker.stderr.resume();
    worker.on("message", (m: Parameters<Listener>[0]) => {
      if (m.stats && this.worker === worker) this.current = m.stats;
      this.listener?.(m);
    });
    worker.on("exit", () => {
      if (this.worker !== worker) return;
      this.worker = null;
      this.ended = this.stats;
      this.current = SharedSandbox.none();
    });
    worker.unref();
    this.worker = worker;
    return worker;
  }

  /** One job at a time: the watchdog's clock starts when the job is handed to the thread. */
  readonly run: SandboxRunner = (job, limits) => {
    const next = this.tail.then(() => this.runNow(job, limits));
    this.tail = next.catch(() => undefined);
    return next;
  };

  private async runNow(
    job: ReplayJob,
    limits: Parameters<SandboxRunner>[1],
  ): Promise<SandboxOutcome> {
    const modules = job.engine === "pglite" ? await pgliteModules() : {};
    const worker = this.thread(limits.maxHeapMb ?? 1024);
    const id = ++this.nextId;
    // The watchdog stops the thread only when it gives up on a job (why is null when it is done).
    const watch = supervise(limits, (why) => {
      if (why !== null) void worker.terminate();
    });
    this.listener = ({ id: of, m }) => {
      if (of === id && m) relayToWatch(watch, m);
    };
    const onError = (err: Error & { code?: string }) =>
      watch.abort("crashed", threadErrorReason(err));
    const onExit = (code: number) =>
      watch.abort("crashed", `the sandbox stopped unexpectedly (exit code ${code})`);
    worker.on("error", onError);
    worker.on("exit", onExit);
    worker.postMessage({ id, job, modules });
    try {
      return await watch.outcome;
    } finally {
      worker.off("error", onError);
      worker.off("exit", onExit);
      this.listener = null;
    }
  }

  /** What the threads did so far, summed over the threads a watchdog ended. */
  get stats(): SharedSandboxStats {
    const sum = { ...this.ended };
    for (const k of ["jobs", "started", "reused", "discarded", "own"] as const)
      sum[k] += this.current[k];
    sum.lastDiscard = this.current.lastDiscard || this.ended.lastDiscard;
    return sum;
  }

  async stop(): Promise<void> {
    await this.tail;
    const worker = this.worker;
    this.worker = null;
    if (worker) await worker.terminate();
  }
}

/**
 * Every replay of this test file through one shared sandbox (installed in beforeAll, removed in
 * afterAll). The returned object tells how its jobs ran.
 */
export function shareSandbox(): SharedSandbox {
  const shared = new SharedSandbox();
  let previous: SandboxRunner | null = null;
  beforeAll(() => {
    previous = setSandboxRunner(shared.run);
  });
  afterAll(async () => {
    setSandboxRunner(previous);
    await shared.stop();
    // How the file's jobs ran (started, reused, discarded, own), for measuring.
    if (process.env.MW_SHARED_SANDBOX_LOG) console.log(JSON.stringify(shared.stats));
  });
  return shared;
}
