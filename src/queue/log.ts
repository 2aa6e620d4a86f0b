/** What the queues log: the pino-shaped subset of Probot's logger they use. */
import type { JobKey, WebhookJob } from "./job.js";
import type { AddResult } from "./queue.js";

export interface QueueLog {
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
}

/**
 * One line per delivery: "queued" (with the deliveries it replaced) or "coalesced" (with the
 * delivery that does its work); each replaced delivery also gets its own "coalesced" line, so
 * every delivery id ends in "coalesced" or in the evaluation's own "reviewed" line.
 */
export function logCoalesced(log: QueueLog, job: WebhookJob, key: JobKey, result: AddResult): void {
  if (result.coalescedInto !== undefined) {
    log.info(
      { id: job.id, event: job.name, group: key.group, into: result.coalescedInto },
      "coalesced",
    );
    return;
  }
  log.info({ id: job.id, event: job.name, group: key.group, job: result.jobId }, "queued");
  for (const old of result.replaced) log.info({ id: old, into: job.id }, "coalesced");
}
