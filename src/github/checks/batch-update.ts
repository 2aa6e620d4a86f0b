/**
 * A slow evaluation's completions in one request: a GraphQL mutation with one aliased
 * `updateCheckRun` field per run (executed one after the other), the counterpart of
 * batch-create.ts for updates. Each field is exactly the REST update body it replaces
 * (check-run.ts CheckRun.completion), so the guarantees of the REST updates hold
 * (uncertain-writes.ts):
 * - no update applied twice: the mutation goes out once (`retries: 0`) and is retried with the
 *   client's policy; after an attempt whose outcome is uncertain, an update that carries an
 *   annotation batch is looked at first (the run's annotation count: updateApplied) and adopted
 *   when it took effect; one without a batch is simply sent again (the same body gives the same
 *   run however often it is applied); one that cannot be told fails;
 * - an answer with data for some aliases and errors (or a null checkRun) for others: the others
 *   go the REST way (updateCheckRun, asking first when they carry a batch);
 * - a mutation whose every attempt fails: each update gets the error, for the writer to complete
 *   its run as failed by REST (write.ts: never left in progress);
 * - a run without a node id, or a body GraphQL cannot carry: REST.
 * Paced as one write, as batch-create.ts explains.
 */
import type { GitHubClient } from "../client.js";
import { createRunInput } from "./batch-create.js";
import { runMutationBatch, type BatchResult } from "./mutation-batch.js";
import type { CompletionUpdate } from "./check-run.js";
import { updateApplied, updateCheckRun, type UpdateCheckRun } from "./uncertain-writes.js";

/** What the writer needs of an updated run: its annotation count. */
export interface UpdatedRun {
  output?: { annotations_count?: number } | null;
}

export type Updated = BatchResult<UpdatedRun>;

/** The mutation document updating `count` runs, aliased u0…u{count-1}. */
export function updateRunsMutation(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `u${i}`);
  return [
    `mutation MigrationWardenUpdateCheckRuns(${ids.map((u) => `$${u}: UpdateCheckRunInput!`).join(", ")}) {`,
    ...ids.map(
      (u) =>
        `  ${u}: updateCheckRun(input: $${u}) { checkRun { databaseId annotations(first: 1) { totalCount } } }`,
    ),
    "}",
  ].join("\n");
}

/**
 * The mutation input of a REST update body, or null when it carries what GraphQL cannot. The
 * keys an update shares with a create are mapped as batch-create.ts maps them (name and head_sha
 * stand in for what an update does not carry, then are dropped).
 */
export function updateRunInput(
  repositoryId: string,
  checkRunId: string,
  p: UpdateCheckRun,
): Record<string, unknown> | null {
  const { check_run_id: _id, output, ...rest } = p;
  // GraphQL's output needs a title; the app always gives one, else REST.
  if ("name" in rest || "head_sha" in rest || (output && output.title === undefined)) return null;
  const input = createRunInput(repositoryId, {
    ...rest,
    ...(output ? { output: { ...output, title: output.title! } } : {}),
    name: "-",
    head_sha: "-",
  });
  if (!input) return null;
  const { name: _n, headSha: _h, ...carried } = input;
  return { ...carried, checkRunId };
}

/**
 * Sends every update (each CheckRun.completion's last one), at most once each, in one mutation
 * request when all goes well. Answers in order.
 */
export async function updateCheckRuns(
  octokit: GitHubClient,
  repositoryId: string,
  updates: readonly CompletionUpdate[],
): Promise<Updated[]> {
  return runMutationBatch<UpdatedRun>(octokit, {
    inputs: updates.map((u) =>
      u.nodeId === null ? null : updateRunInput(repositoryId, u.nodeId, u.params),
    ),
    document: updateRunsMutation,
    alias: "u",
    answered: (field) => {
      const run = (field as { checkRun?: { annotations?: { totalCount?: number } | null } | null })
        ?.checkRun;
      if (!run) return null;
      const count = run.annotations?.totalCount;
      return Number.isSafeInteger(count) ? { output: { annotations_count: count! } } : {};
    },
    // One look per update: the run's annotation count tells whether its batch took effect.
    tookEffect: async (pending) => {
      const found: Array<UpdatedRun | null> = [];
      for (const i of pending) {
        const u = updates[i]!;
        found.push(await updateApplied(octokit, u.params, u.annotations));
      }
      return found;
    },
    byRest: (i, askFirst) =>
      updateCheckRun(octokit, updates[i]!.params, updates[i]!.annotations, { askFirst }),
  });
}
