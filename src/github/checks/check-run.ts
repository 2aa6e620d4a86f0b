/**
 * One check run per evaluation: created already completed when the result is known (one request
 * for up to 50 annotations), or created in_progress while a slow evaluation runs and completed
 * exactly once. Annotations go in batches of at most 50 (GitHub's per-request cap); every PATCH
 * appends, which is why a re-evaluation always writes a fresh run instead of updating an old one.
 * Every summary carries the evaluation marker (written.ts): when the evaluation started and the
 * digest of what the run shows. No write is applied twice, however GitHub fails
 * (uncertain-writes.ts): the writer knows what it created and how many annotations the run has.
 */
import { GITHUB_OUTPUT_MAX_BYTES } from "../../core/report/markdown.js";
import { truncateUtf8 } from "../../core/report/truncate.js";
import type { GitHubClient, RepoRef } from "../client.js";
import { describeError } from "../errors.js";
import {
  createCheckRun,
  runMarker,
  updateCheckRun,
  type CreateCheckRun,
  type UpdateCheckRun,
} from "./uncertain-writes.js";
import type { CreatedRun } from "./batch-create.js";
import type { Annotation, CheckResult } from "./types.js";
import { evaluationMarker, outputDigest, shownRun, type ShownRun } from "./written.js";

export const ANNOTATIONS_PER_REQUEST = 50;

export interface StartCheckRun {
  name: string;
  headSha: string;
  externalId: string;
  title: string;
  summary: string;
  detailsUrl?: string;
  /** When the evaluation started (ms since the epoch), for the marker. */
  startedAt: number;
}

/** A result as a run will show it, with its digest and the summary that carries the marker. */
export interface PreparedResult {
  shown: ShownRun;
  digest: string;
  output: { title: string; summary: string; text?: string };
}

/** Bytes kept free in a summary for the markers (evaluation and recovery; both ASCII). */
const MARKERS_BYTES = 256;

export function prepareResult(
  name: string,
  result: CheckResult,
  externalId: string,
  detailsUrl: string | undefined,
  startedAt: number,
): PreparedResult {
  const shown = shownRun(name, result, externalId, detailsUrl, (s) => safeText(s, MARKERS_BYTES));
  const digest = outputDigest(shown);
  return {
    shown,
    digest,
    output: {
      title: shown.title,
      summary: `${shown.summary}\n\n${evaluationMarker(startedAt, digest)}`,
      ...(shown.text !== undefined ? { text: shown.text } : {}),
    },
  };
}

export class CheckRun {
  readonly id: number;
  /** The app GitHub says created it (this app), for finding its other runs. */
  readonly appId: number | null;
  /** Its GraphQL node id (for a batched completion: batch-update.ts); null when GitHub gave none. */
  readonly nodeId: string | null;
  /** Annotations the run has, as GitHub last answered (an annotation batch grows it). */
  #annotations: number | null;

  private constructor(
    private readonly octokit: GitHubClient,
    private readonly repo: RepoRef,
    created: CreatedRun,
    readonly name: string,
    /** What it was started with: the evaluation's start, external_id and details link. */
    private readonly started: Pick<StartCheckRun, "startedAt" | "externalId" | "detailsUrl">,
  ) {
    this.id = created.id;
    this.appId = created.app?.id ?? null;
    this.nodeId =
      typeof created.node_id === "string" && created.node_id !== "" ? created.node_id : null;
    // An answer without the count leaves it unknown: a lost batch then fails (uncertain-writes.ts).
    this.#annotations = created.output?.annotations_count ?? null;
  }

  get startedAt(): number {
    return this.started.startedAt;
  }

  static async start(octokit: GitHubClient, repo: RepoRef, s: StartCheckRun): Promise<CheckRun> {
    return CheckRun.started(
      octokit,
      repo,
      await createCheckRun(octokit, CheckRun.startCreate(repo, s)),
      s,
    );
  }

  /** The create of CheckRun.start (its REST body, marker included), for a batch of starts. */
  static startCreate(repo: RepoRef, s: StartCheckRun): CreateCheckRun {
    return {
      ...repo,
      name: s.name,
      head_sha: s.headSha,
      external_id: s.externalId,
      ...(s.detailsUrl !== undefined ? { details_url: s.detailsUrl } : {}),
      status: "in_progress",
      output: {
        title: s.title,
        summary: withMarker(`${s.summary}\n\n${evaluationMarker(s.startedAt)}`),
      },
    };
  }

  /** The run a CheckRun.startCreate created (in progress). */
  static started(
    octokit: GitHubClient,
    repo: RepoRef,
    data: CreatedRun,
    s: StartCheckRun,
  ): CheckRun {
    return new CheckRun(octokit, repo, data, s.name, s);
  }

  /**
   * A fresh run of a known result: one create, already completed, when it has at most 50
   * annotations; otherwise created in_progress with the first batch and completed by the last.
   * Returns the run (completed).
   */
  static async write(
    octokit: GitHubClient,
    repo: RepoRef,
    s: Omit<StartCheckRun, "title" | "summary">,
    result: CheckResult,
    prepared: PreparedResult = prepareResult(
      s.name,
      result,
      s.externalId,
      s.detailsUrl,
      s.startedAt,
    ),
  ): Promise<CheckRun> {
    const create = CheckRun.writeCreate(repo, s, result, prepared);
    return CheckRun.written(octokit, repo, await createCheckRun(octokit, create.params), create);
  }

  /**
   * The create of CheckRun.write (its REST body, marker included), for a writer that sends several
   * in one request (batch-create.ts) and hands each answer to CheckRun.written.
   */
  static writeCreate(
    repo: RepoRef,
    s: Omit<StartCheckRun, "title" | "summary">,
    result: CheckResult,
    prepared: PreparedResult,
  ): WriteCreate {
    const [first = [], ...rest] = chunk(result.annotations ?? [], ANNOTATIONS_PER_REQUEST);
    const output = { ...prepared.output, summary: withMarker(prepared.output.summary) };
    return {
      params: {
        ...repo,
        name: s.name,
        head_sha: s.headSha,
        external_id: prepared.shown.externalId,
        ...(s.detailsUrl !== undefined ? { details_url: s.detailsUrl } : {}),
        ...(rest.length === 0
          ? {
              status: "completed" as const,
              conclusion: result.conclusion,
              ...(result.actions ? { actions: result.actions } : {}),
            }
          : { status: "in_progress" as const }),
        output: first.length > 0 ? { ...output, annotations: first } : output,
      },
      rest,
      s,
      result,
      prepared,
    };
  }

  /** The run a WriteCreate created, completed (its remaining annotation batches written). */
  static async written(
    octokit: GitHubClient,
    repo: RepoRef,
    data: CreatedRun,
    create: WriteCreate,
  ): Promise<CheckRun> {
    const run = new CheckRun(octokit, repo, data, create.s.name, create.s);
    if (create.rest.length === 0) return run;
    try {
      await run.#finish(create.result, create.prepared, create.rest);
    } catch (err) {
      // The run exists, in progress: the writer completes it (a fresh run would leave it so).
      throw new UnfinishedRun(run, err);
    }
    return run;
  }

  /**
   * A run created already completed, in one request: how a failure is reported when the run
   * could not be started (or there was nothing to start it for). Results without annotations only.
   */
  static async report(
    octokit: GitHubClient,
    repo: RepoRef,
    s: Omit<StartCheckRun, "title" | "summary" | "startedAt">,
    result: CheckResult,
  ): Promise<void> {
    if (result.annotations?.length) throw new Error("CheckRun.report takes no annotations");
    await createCheckRun(octokit, {
      ...repo,
      name: s.name,
      head_sha: s.headSha,
      ...(s.externalId !== "" ? { external_id: s.externalId } : {}),
      ...(s.detailsUrl !== undefined ? { details_url: s.detailsUrl } : {}),
      status: "completed",
      conclusion: result.conclusion,
      output: {
        title: result.title,
        summary: withMarker(result.summary),
        ...(result.text !== undefined ? { text: safeText(result.text) } : {}),
      },
    });
  }

  /**
   * After `CheckRun.write` threw `err`: the run it created in progress (UnfinishedRun) is
   * completed as failed, never left running beside another; otherwise a failed run is created.
   */
  static async reportFailedWrite(
    octokit: GitHubClient,
    repo: RepoRef,
    s: Omit<StartCheckRun, "title" | "summary" | "startedAt">,
    err: unknown,
    failed: (reason: string) => CheckResult,
  ): Promise<void> {
    if (err instanceof UnfinishedRun) await err.run.complete(failed(describeError(err.cause)));
    else await CheckRun.report(octokit, repo, s, failed(describeError(err)));
  }

  /** Writes every annotation, then completes the run with the result's conclusion. */
  async complete(result: CheckResult): Promise<void> {
    const { externalId, detailsUrl, startedAt } = this.started;
    const prepared = prepareResult(this.name, result, externalId, detailsUrl, startedAt);
    await this.#finish(result, prepared, chunk(result.annotations ?? [], ANNOTATIONS_PER_REQUEST));
  }

  /**
   * CheckRun.complete for a writer that sends several runs' completions in one request
   * (batch-update.ts): every annotation batch but the last is written now (by REST, while the run
   * is in progress); the update that completes the run is returned, to be sent by the caller, who
   * hands its answer to `completedBy`.
   */
  async completion(result: CheckResult): Promise<CompletionUpdate> {
    const { externalId, detailsUrl, startedAt } = this.started;
    const prepared = prepareResult(this.name, result, externalId, detailsUrl, startedAt);
    const batches = chunk(result.annotations ?? [], ANNOTATIONS_PER_REQUEST);
    await this.#batchesBeforeLast(prepared, batches);
    return {
      params: this.#lastUpdate(result, prepared, batches),
      nodeId: this.nodeId,
      annotations: this.#annotations,
    };
  }

  /** What GitHub answered to the update `completion` returned. */
  completedBy(data: { output?: { annotations_count?: number } | null }): void {
    this.#annotations = data.output?.annotations_count ?? null;
  }

  async #finish(
    result: CheckResult,
    prepared: PreparedResult,
    batches: readonly Annotation[][],
  ): Promise<void> {
    await this.#batchesBeforeLast(prepared, batches);
    await this.#update(this.#lastUpdate(result, prepared, batches));
  }

  async #batchesBeforeLast(
    prepared: PreparedResult,
    batches: readonly Annotation[][],
  ): Promise<void> {
    const output = prepared.output;
    // All but the last batch go while the run is still in progress, so "completed" means
    // complete: a failure half-way is reported by fail(), not hidden behind a finished run.
    for (const annotations of batches.slice(0, -1)) {
      await this.#update({
        ...this.repo,
        check_run_id: this.id,
        output: { ...output, annotations },
      });
    }
  }

  #lastUpdate(
    result: CheckResult,
    prepared: PreparedResult,
    batches: readonly Annotation[][],
  ): UpdateCheckRun {
    const output = prepared.output;
    const last = batches.at(-1);
    return {
      ...this.repo,
      check_run_id: this.id,
      status: "completed",
      conclusion: result.conclusion,
      output: last ? { ...output, annotations: last } : output,
      ...(result.actions ? { actions: result.actions } : {}),
      ...(result.externalId !== undefined ? { external_id: result.externalId } : {}),
    };
  }

  async #update(params: UpdateCheckRun): Promise<void> {
    const data = await updateCheckRun(this.octokit, params, this.#annotations);
    this.#annotations = data.output?.annotations_count ?? null;
  }
}

/** The update that completes a run (CheckRun.completion), with what sending it needs. */
export interface CompletionUpdate {
  params: UpdateCheckRun;
  /** The run's GraphQL node id; null: only REST can update it. */
  nodeId: string | null;
  /** The run's annotation count before this update (uncertain-writes.ts updateCheckRun). */
  annotations: number | null;
}

/** One run's create as CheckRun.write sends it, with what completes it (CheckRun.written). */
export interface WriteCreate {
  params: CreateCheckRun;
  /** Annotation batches beyond the create's: sent as updates, the last one completing the run. */
  rest: Annotation[][];
  s: Omit<StartCheckRun, "title" | "summary">;
  result: CheckResult;
  prepared: PreparedResult;
}

/** A write that created its run in progress and failed before completing it (see CheckRun.write). */
export class UnfinishedRun extends Error {
  constructor(
    readonly run: CheckRun,
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
  }
}

function chunk(items: readonly Annotation[], size: number): Annotation[][] {
  const out: Annotation[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Renderers budget their Markdown; this is the last guard against GitHub's 422. */
function safeText(s: string, reserveBytes = 0): string {
  return truncateUtf8(
    s,
    GITHUB_OUTPUT_MAX_BYTES - reserveBytes,
    "\n\n*(cut to fit GitHub's size limit)*",
  );
}

/** A create's summary with the marker that finds the run again if the answer is lost. */
function withMarker(summary: string): string {
  const marker = `\n\n${runMarker()}`; // ASCII: its length is its size in bytes
  return safeText(summary, marker.length) + marker;
}
