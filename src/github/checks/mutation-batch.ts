/**
 * The one loop both check-run mutations run (batch-create.ts, batch-update.ts): every field that
 * GraphQL can carry goes in one request, sent once per attempt (`retries: 0`) and retried with
 * the client's policy (octokit.ts retriesOf). After an attempt whose outcome is uncertain (a
 * retryable failure: GitHub may have carried it out), the next one first asks what took effect
 * and sends only the rest again, so nothing is applied twice. A field answered without its run
 * goes the REST way, asking first (an error beside data does not prove the field did nothing); a
 * field GraphQL cannot carry goes the REST way at once. When every attempt fails, each pending
 * field gets the error, for the writer to report (a run is never left passing on an unknown).
 */
import type { GitHubClient } from "../client.js";
import { retriesOf } from "../octokit.js";

const ONCE = { retries: 0 } as const;

export type BatchResult<R> = { run: R } | { error: unknown };

export interface MutationBatch<R> {
  /** The mutation's inputs by index; null: GraphQL cannot carry it. */
  inputs: ReadonlyArray<Record<string, unknown> | null>;
  /** The document for n fields, the k-th aliased `${alias}${k}` with variable `$${alias}${k}`. */
  document: (n: number) => string;
  alias: string;
  /** A field's answer as its result, or null to send that one the REST way. */
  answered: (field: unknown) => R | null;
  /** After an uncertain attempt: what of these took effect (by position), null where nothing. */
  tookEffect: (pending: readonly number[]) => Promise<Array<R | null>>;
  /** The REST way for one index; askFirst when it may have been carried out already. */
  byRest: (i: number, askFirst: boolean) => Promise<R>;
}

interface MutationAnswer {
  data?: Record<string, unknown> | null;
  errors?: unknown[];
}

/** Runs the batch; answers by index. */
export async function runMutationBatch<R>(
  octokit: GitHubClient,
  batch: MutationBatch<R>,
): Promise<Array<BatchResult<R>>> {
  const { inputs } = batch;
  const out = new Array<BatchResult<R> | undefined>(inputs.length);
  const byRest: number[] = [];
  let pending: number[] = [];
  inputs.forEach((input, i) => (input ? pending : byRest).push(i));
  const policy = retriesOf(octokit);
  let uncertain = false;
  for (let attempt = 0; pending.length > 0; attempt++) {
    try {
      if (uncertain) {
        const done = await batch.tookEffect(pending);
        pending = pending.filter((i, k) => {
          const run = done[k];
          if (run) out[i] = { run };
          return !run;
        });
        if (pending.length === 0) break;
      }
      const answer = await mutate(
        octokit,
        batch,
        pending.map((i) => inputs[i]!),
      );
      for (const [k, i] of pending.entries()) {
        const run = batch.answered(answer.data?.[`${batch.alias}${k}`]);
        if (run) out[i] = { run };
        else byRest.push(i);
      }
      pending = [];
    } catch (err) {
      if (attempt >= policy.retries || !policy.retryable(err)) {
        for (const i of pending) out[i] = { error: err };
        pending = [];
        break;
      }
      // A retryable failure of the request is an uncertain outcome; of the look, it stays one.
      uncertain = true;
      await new Promise((resolve) => setTimeout(resolve, policy.waitMs(attempt + 1)));
    }
  }
  for (const i of byRest.sort((a, b) => a - b)) {
    try {
      out[i] = { run: await batch.byRest(i, inputs[i] !== null) };
    } catch (err) {
      out[i] = { error: err };
    }
  }
  return out as Array<BatchResult<R>>;
}

async function mutate<R>(
  octokit: GitHubClient,
  batch: MutationBatch<R>,
  inputs: ReadonlyArray<Record<string, unknown>>,
): Promise<MutationAnswer> {
  const variables = Object.fromEntries(inputs.map((input, k) => [`${batch.alias}${k}`, input]));
  // octokit.request, not octokit.graphql: an answer with errors beside data must reach us whole.
  const { data } = await octokit.request("POST /graphql", {
    query: batch.document(inputs.length),
    variables,
    request: ONCE,
  });
  return (data ?? {}) as MutationAnswer;
}
