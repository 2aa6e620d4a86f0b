/** SIGTERM / SIGINT: drain the queue (queue.close), then exit; a second signal changes nothing. */
import type { QueueLog } from "./log.js";
import type { JobQueue } from "./queue.js";

export function drainOnSignals(log: QueueLog, queue: JobQueue): void {
  let closing = false;
  const stop = (signal: string) => {
    if (closing) return;
    closing = true;
    log.info({ signal }, "shutting down: draining the queue");
    queue.close().then(
      () => {
        log.info({}, "queue drained: exiting");
        process.exit(0);
      },
      (err: unknown) => {
        log.error({ err }, "draining the queue failed");
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}
