/** Types for app-server.mjs (the real app server as a child process, against a fake GitHub). */
import type { ChildProcess } from "node:child_process";
import type { FakeGitHub } from "./fake-github.mjs";

export const APP: string;
export const WORKER: string;

/** A free TCP port on loopback. */
export function freePort(): Promise<number>;

export interface AppServer {
  child: ChildProcess;
  port: number;
  /** Where GitHub would deliver webhooks. */
  webhookUrl: string;
  /** Everything the server wrote so far (stdout and stderr). */
  output(): string;
  /** Stops the server (SIGTERM) and removes its working directory. */
  stop(): Promise<void>;
}

export function startAppServer(options: {
  fake: FakeGitHub;
  appId: number;
  privateKey: string;
  secret: string;
  /** More environment variables for the server. */
  env?: Record<string, string>;
  onOutput?: (chunk: string) => void;
}): Promise<AppServer>;

export interface AppWorker {
  child: ChildProcess;
  output(): string;
  /** SIGTERM by default (the worker drains), or another signal such as SIGKILL (a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

/** `npm run worker` against the fake GitHub, taking jobs from `redisUrl`; resolves once ready. */
export function startWorker(options: {
  fake: FakeGitHub;
  appId: number;
  privateKey: string;
  redisUrl: string;
  env?: Record<string, string>;
  onOutput?: (chunk: string) => void;
}): Promise<AppWorker>;
