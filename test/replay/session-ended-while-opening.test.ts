/**
 * A replay's sessions ended while the replay is still opening them (another replay's migration
 * running pg_terminate_backend in a loop, or KILL): once the server has accepted the work session,
 * that is "ended from outside", an error, never "unavailable" (a notice that passes the change
 * without a replay). Only a server that never accepted us is unavailable. A fake family drives
 * each step deterministically; test/adversarial/replay-server-killed-by-another runs the race for
 * real.
 */
import { describe, expect, test } from "@jest/globals";
import { SandboxRefused, ServerUnavailable } from "../../src/replay/external/sandbox.js";
import {
  ServerSession,
  type ServerConnection,
  type ServerFamily,
} from "../../src/replay/external/session.js";

class Ended extends Error {}
class Refused extends Error {}

type Step = "work" | "afterFirstConnect" | "guard" | "startWork";

function family(fails: Step, err: Error): ServerFamily {
  const conn = (role: string): ServerConnection => ({
    connect: async () => {
      if (fails === role) throw err;
    },
    query: async () => ({ fields: [], rows: [] }) as never,
    onClose: () => undefined,
    close: async () => undefined,
    destroy: () => undefined,
  });
  const never = () => {
    throw new Error("not reached");
  };
  return {
    connection: (_a: unknown, o: { role: string }) => conn(o.role),
    isConfigError: () => false,
    isConnectionError: (e: unknown) => e instanceof Refused || e instanceof Ended,
    isStatementTimeout: () => false,
    isEndedByServer: (e: unknown) => e instanceof Ended,
    afterFirstConnect: async () => {
      if (fails === "afterFirstConnect") throw err;
    },
    startWork: async () => (fails === "startWork" ? Promise.reject(err) : never()),
    startInspect: never,
    killSession: never,
    sandboxOps: never,
  } as unknown as ServerFamily;
}

const target = { url: {}, label: "postgres://mw@db/replay" } as never;
const limits = { connectTimeoutMs: 1000, statementTimeoutMs: 1000 } as never;
const open = (f: ServerFamily) => ServerSession.open(f, target, limits);

describe("a session ended while the replay opens it is an error", () => {
  for (const step of ["afterFirstConnect", "guard", "startWork"] as const)
    test(`after the work session was accepted: ended at ${step}`, async () => {
      for (const err of [new Ended("terminating connection"), new Refused("connection reset")]) {
        const e = await open(family(step, err)).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(SandboxRefused);
        expect((e as Error).message).toMatch(/ended from outside once connected/);
      }
    });

  test("the work session ended by the server during its start-up", async () => {
    const e = await open(family("work", new Ended("terminating connection"))).catch((x) => x);
    expect(e).toBeInstanceOf(SandboxRefused);
  });

  test("control: a server that never accepted the connection is unavailable", async () => {
    const e = await open(family("work", new Refused("ECONNREFUSED"))).catch((x) => x);
    expect(e).toBeInstanceOf(ServerUnavailable);
  });
});
