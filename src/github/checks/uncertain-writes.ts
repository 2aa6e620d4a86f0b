/**
 * Check-run writes sent so that none is applied twice. GitHub has no idempotency keys: when a
 * write's answer never arrives (no answer in time, a dropped connection, a 5xx from a proxy after
 * GitHub applied it, a cut-off body), sending it again creates a second run (the first stays
 * `in_progress` for good) or shows an annotation batch twice.
 *
 * So these writes go out without the retry plugin's automatic retry (`request: { retries: 0 }`)
 * and are retried here, with the client's own policy (octokit.ts, retriesOf). After an attempt
 * whose outcome is uncertain, the next one first asks GitHub whether it took effect:
 * - a create carries a random marker as the last one in its summary (an HTML comment, invisible):
 *   this app's run of that name on the commit whose last marker is it is the one created;
 * - an update with annotations took effect when the run's `annotations_count` grew by the batch
 *   (an update without annotations is the same however often it is applied: sent again).
 * When GitHub cannot say (the look-up fails too), the attempt fails and the next one asks again;
 * the last failure is thrown, for the writer to end the check as failed (fail closed).
 */
import { randomUUID } from "node:crypto";
import { ownAppId, type GitHubClient } from "../client.js";
import { EvaluationError } from "../errors.js";
import { retriesOf } from "../octokit.js";

type Checks = GitHubClient["rest"]["checks"];
export type CreateCheckRun = NonNullable<Parameters<Checks["create"]>[0]>;
export type UpdateCheckRun = NonNullable<Parameters<Checks["update"]>[0]>;
export type CheckRunData = Awaited<ReturnType<Checks["create"]>>["data"];

const MARKER = /<!-- migration-warden run [0-9a-f-]{36} -->/g;
/** Sent once: the writer retries (see the header). */
const ONCE = { retries: 0 } as const;

/** A fresh marker for a create's summary (see createCheckRun). */
export function runMarker(): string {
  return `<!-- migration-warden run ${randomUUID()} -->`;
}

/**
 * The marker a summary carries: its last one. The app writes its own after everything else, so an
 * earlier one was copied into a file name, a statement or a message it shows.
 */
export function lastMarker(summary: string | null | undefined): string | null {
  return [...(summary ?? "").matchAll(MARKER)].at(-1)?.[0] ?? null;
}

/**
 * Creates a run whose summary ends with a marker (runMarker), at most once. `askFirst`: an
 * earlier attempt (another request: batch-create.ts) may have created it; look before sending.
 */
export async function createCheckRun(
  octokit: GitHubClient,
  params: CreateCheckRun,
  { askFirst = false }: { askFirst?: boolean } = {},
): Promise<CheckRunData> {
  const marker = lastMarker(params.output?.summary);
  if (marker === null) throw new Error("a check run is created with a marker (runMarker)");
  return retried(
    octokit,
    () => findCreated(octokit, params, marker),
    async () => (await octokit.rest.checks.create({ ...params, request: ONCE })).data,
    askFirst,
  );
}

/**
 * Updates a run, at most once. `annotations`: the run's annotation count before this update (from
 * GitHub's last answer; null when it gave none), which an update carrying a batch grows by it.
 * `askFirst`: an earlier attempt (another request: batch-update.ts) may have applied it.
 */
export async function updateCheckRun(
  octokit: GitHubClient,
  params: UpdateCheckRun,
  annotations: number | null,
  { askFirst = false }: { askFirst?: boolean } = {},
): Promise<CheckRunData> {
  return retried(
    octokit,
    () => updateApplied(octokit, params, annotations),
    async () => (await octokit.rest.checks.update({ ...params, request: ONCE })).data,
    askFirst,
  );
}

/**
 * After an attempt of `params` whose outcome is unknown: the run as GitHub shows it when the
 * update took effect (its annotation batch is there), null when it must be sent again (it carries
 * no batch: the same however often it is applied; or the batch is not there). Throws when it
 * cannot be told.
 */
export async function updateApplied(
  octokit: GitHubClient,
  params: UpdateCheckRun,
  annotations: number | null,
): Promise<CheckRunData | null> {
  const batch = params.output?.annotations?.length ?? 0;
  if (batch === 0) return null;
  if (annotations === null)
    throw new EvaluationError(
      `check run ${params.check_run_id}: a batch of ${batch} annotations lost its answer, and GitHub never said how many the run had before it`,
    );
  const { owner, repo, check_run_id } = params;
  const { data } = await octokit.rest.checks.get({ owner, repo, check_run_id, request: ONCE });
  const count = data.output.annotations_count;
  if (count === annotations + batch) return data;
  if (count === annotations) return null;
  // Neither before nor after this batch: what the run shows is unknown, so it fails.
  throw new EvaluationError(
    `check run ${check_run_id} shows ${count} annotations after a batch of ${batch} whose answer was lost (${annotations} before it)`,
  );
}

/** This app's run of the create's name on its commit whose last marker is `marker`, or null. */
async function findCreated(
  octokit: GitHubClient,
  params: CreateCheckRun,
  marker: string,
): Promise<CheckRunData | null> {
  // Token-only setups have no app id: the marker alone (random, shown only once created) decides.
  const appId = await ownAppId(octokit).catch(() => null);
  // Newest first: a run created moments ago is on the first page.
  const { data } = await octokit.rest.checks.listForRef({
    owner: params.owner,
    repo: params.repo,
    ref: params.head_sha,
    check_name: params.name,
    filter: "all",
    per_page: 100,
    ...(appId !== null ? { app_id: appId } : {}),
    request: ONCE,
  });
  return (
    data.check_runs.find(
      (r) =>
        r.name === params.name &&
        r.head_sha === params.head_sha &&
        (appId === null || r.app?.id === appId) &&
        lastMarker(r.output.summary) === marker,
    ) ?? null
  );
}

/**
 * `send`, retried as the client's policy retries requests; every attempt after one whose outcome
 * is uncertain asks `applied` first, and answers with what it finds instead of sending again.
 */
async function retried(
  octokit: GitHubClient,
  applied: () => Promise<CheckRunData | null>,
  send: () => Promise<CheckRunData>,
  uncertain = false,
): Promise<CheckRunData> {
  const policy = retriesOf(octokit);
  for (let attempt = 0; ; attempt++) {
    try {
      const found = uncertain ? await applied() : null;
      return found ?? (await send());
    } catch (err) {
      if (attempt >= policy.retries || !policy.retryable(err)) throw err;
      // A retryable failure of the send is an uncertain outcome; of the question, it stays one.
      uncertain = true;
      await new Promise((resolve) => setTimeout(resolve, policy.waitMs(attempt + 1)));
    }
  }
}
