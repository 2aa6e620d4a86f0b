/**
 * The real server process (`probot run lib/app.js`) against the fake GitHub Enterprise Server,
 * for end-to-end tests: one pair per test file, signed deliveries, and polling for results.
 */
import { afterAll, beforeAll, expect } from "@jest/globals";
import { createHmac } from "node:crypto";
import { githubFormPrivateKey, privateKey } from "./app-key.js";
import { setTimeout as sleep } from "node:timers/promises";
import { startAppServer, type AppServer } from "./app-server.mjs";
import { FakeGitHub } from "./fake-github.mjs";
import { checkRunBodyErrors } from "./openapi.js";

export interface E2E {
  fake: FakeGitHub;
  server: AppServer;
  /** POSTs a webhook signed with the server's secret; expects 200. */
  deliver(event: string, payload: unknown): Promise<void>;
  /** Polls `check` until it returns non-null (fails with the server's output after `ms`). */
  waitFor<T>(what: string, check: () => T | null, ms?: number): Promise<T>;
}

/** Starts the fake and the server before the file's tests, stops both after. */
export function useE2E(opts: { secret: string; appId: number }): E2E {
  const e2e = {} as E2E;
  beforeAll(async () => {
    e2e.fake = await new FakeGitHub({
      appId: opts.appId,
      privateKey,
      validateCheckRun: checkRunBodyErrors,
    }).start();
    e2e.server = await startAppServer({
      fake: e2e.fake,
      appId: opts.appId,
      privateKey: githubFormPrivateKey,
      secret: opts.secret,
    });
  });
  afterAll(async () => {
    await e2e.server?.stop();
    await e2e.fake?.stop();
  });
  e2e.deliver = async (event, payload) => {
    const body = JSON.stringify(payload);
    const res = await fetch(e2e.server.webhookUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": `e2e-${Math.random().toString(16).slice(2)}`,
        "x-hub-signature-256": `sha256=${createHmac("sha256", opts.secret).update(body).digest("hex")}`,
      },
      body,
    });
    expect(res.status).toBe(200);
  };
  e2e.waitFor = async <T>(what: string, check: () => T | null, ms = 20_000): Promise<T> => {
    const deadline = Date.now() + ms;
    for (;;) {
      const v = check();
      if (v !== null) return v;
      if (e2e.server.child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${what} did not happen; server output:\n${e2e.server.output()}`);
      await sleep(50);
    }
  };
  return e2e;
}
