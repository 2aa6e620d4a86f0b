/**
 * Webhook intake: the app function `npm start` runs. Probot verifies each delivery's signature
 * before any handler sees it (an unsigned or forged delivery is answered 400 and never queued);
 * the intake only queues it. With REDIS_URL the server does nothing else: `npm run worker`
 * processes evaluate. Without it, the same queue runs in this process and hands each job back to
 * the app's handlers here.
 */
import type { ApplicationFunction, Probot } from "probot";
import type { QueueSettings } from "./config.js";
import type { JobQueue } from "./queue.js";
import { MemoryQueue } from "./memory.js";
import { probotJobHandlers } from "./process.js";
import { drainOnSignals } from "./shutdown.js";
import { setSandboxConcurrency } from "../replay/run-in-worker.js";

export interface QueuedAppOptions {
  settings: QueueSettings;
  /** SIGTERM and SIGINT drain the in-process queue, then exit (the server process only). */
  handleSignals?: boolean;
}

/**
 * `evaluator` is the app whose handlers evaluate (createApp): with REDIS_URL it is loaded by the
 * workers, otherwise here, behind the in-process queue.
 */
export function queuedApp(
  evaluator: ApplicationFunction,
  { settings, handleSignals = false }: QueuedAppOptions,
): ApplicationFunction {
  return async (app, options) => {
    if (settings.redisUrl !== null) {
      // Loaded only here: BullMQ and ioredis (some 250 modules, about a fifth of a CPU-second) are
      // not needed by a server without REDIS_URL, nor by the tests of the app's handlers.
      const { RedisQueue } = await import("./redis.js");
      const queue = new RedisQueue({
        url: settings.redisUrl,
        policy: settings.policy,
        log: app.log,
      });
      acceptInto(app, queue, () => false);
      app.log.info("webhook deliveries are queued in Redis: `npm run worker` evaluates them");
      if (handleSignals) drainOnSignals(app.log, queue);
      return;
    }
    setSandboxConcurrency(settings.replayConcurrency);
    const queue = new MemoryQueue({ policy: settings.policy, log: app.log });
    // Jobs come back to this same app: its handlers run only for them, the intake only for
    // deliveries from GitHub. A job's payload is its own copy, so the two never mix.
    const fromQueue = new WeakSet<object>();
    await evaluator(onlyFor(app, fromQueue), options);
    acceptInto(app, queue, (payload) => fromQueue.has(payload));
    queue.work(
      probotJobHandlers({
        receive: (event) => {
          fromQueue.add(event.payload as object);
          return app.receive(event as Parameters<Probot["receive"]>[0]);
        },
        auth: (id) => app.auth(id),
        log: app.log,
      }),
    );
    if (handleSignals) drainOnSignals(app.log, queue);
  };
}

function acceptInto(app: Probot, queue: JobQueue, fromQueue: (payload: object) => boolean): void {
  app.onAny(async (context) => {
    if (fromQueue(context.payload as object)) return;
    // Throws when the job cannot be queued: the delivery is answered 500, GitHub records it as
    // failed and it can be redelivered.
    await queue.add({ id: context.id, name: context.name, payload: context.payload });
  });
}

/** `app` whose handlers see only payloads in `only`. */
function onlyFor(app: Probot, only: WeakSet<object>): Probot {
  type Handler = (context: { payload: unknown }) => unknown;
  const guard =
    (h: Handler): Handler =>
    (context) =>
      only.has(context.payload as object) ? h(context) : undefined;
  const on = (name: never, h: Handler) => app.on(name, guard(h) as never);
  const onAny = (h: Handler) => app.onAny(guard(h) as never);
  return new Proxy(app, {
    get(target, prop) {
      if (prop === "on") return on;
      if (prop === "onAny") return onAny;
      // Getters and methods run on the real instance (its fields are private).
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === "function" ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
