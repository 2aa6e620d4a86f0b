/* global fetch */
// The real app server (`probot run lib/app.js`, what `npm start` runs) as a child process on a
// free loopback port, pointed at a fake GitHub Enterprise Server (fake-github.mjs). Plain ESM so
// the end-to-end test and the load script share it.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { setTimeout as sleep } from "node:timers/promises";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const APP = join(ROOT, "lib", "app.js");
export const WORKER = join(ROOT, "lib", "worker.js");
const PROBOT = join(ROOT, "node_modules", "probot", "bin", "probot.js");

/** A free TCP port on loopback (for the server, redis-server). */
export async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * A process of this app (`args` for node) with the app's credentials, pointed at the fake GitHub,
 * in an empty working directory: no .env or .pem of the developer's is picked up.
 */
function spawnApp(args, { fake, appId, privateKey, env = {}, onOutput }) {
  const cwd = mkdtempSync(join(tmpdir(), "mw-server-"));
  const child = spawn(process.execPath, args, {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
      // Writes unpaced (production: one a second per installation, the throttling plugin's
      // limiter); the fake has no secondary rate limit, and at one a second the end-to-end files
      // spent most of their time waiting (test/e2e/server.test.ts 40 s, 5 s without). A test
      // that wants production's pacing passes WRITE_INTERVAL_MS: "" in `env`.
      WRITE_INTERVAL_MS: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) {
    stream.on("data", (d) => {
      output += d.toString();
      onOutput?.(d.toString());
    });
  }
  const stop = async (signal = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill(signal);
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  };
  return { child, output: () => output, stop };
}

/**
 * `npm run worker` (lib/worker.js) against the fake GitHub, taking jobs from `redisUrl`; resolves
 * once it logs "worker ready". `stop(signal)` sends SIGTERM (drain) by default, or e.g. SIGKILL.
 */
export async function startWorker({ fake, appId, privateKey, redisUrl, env = {}, onOutput }) {
  if (!existsSync(WORKER)) throw new Error(`${WORKER} is missing: run \`npm run build\` first`);
  const w = spawnApp([WORKER], {
    fake,
    appId,
    privateKey,
    env: { REDIS_URL: redisUrl, ...env },
    onOutput,
  });
  const startBy = Date.now() + 30_000;
  while (!/"msg":"worker ready"/.test(w.output())) {
    if (w.child.exitCode !== null || Date.now() > startBy) {
      await w.stop();
      throw new Error(`the worker did not start; its output:\n${w.output()}`);
    }
    await sleep(50);
  }
  return w;
}

/**
 * Starts the server with the app's credentials and JSON logs at `info`, and waits until it
 * answers /ping. `onOutput` gets its stdout and stderr as they come; `env` adds variables.
 */
export async function startAppServer({ fake, appId, privateKey, secret, env = {}, onOutput }) {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: run \`npm run build\` first`);
  const port = await freePort();
  const { child, output, stop } = spawnApp([PROBOT, "run", APP], {
    fake,
    appId,
    privateKey,
    env: { WEBHOOK_SECRET: secret, HOST: "127.0.0.1", PORT: String(port), ...env },
    onOutput,
  });

  const startBy = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > startBy) {
      await stop();
      throw new Error(`the app server did not start; its output:\n${output()}`);
    }
    try {
      if ((await fetch(`http://127.0.0.1:${port}/ping`)).ok) break;
    } catch {
      // not listening yet
    }
    await sleep(50);
  }
  return {
    child,
    port,
    webhookUrl: `http://127.0.0.1:${port}/api/github/webhooks`,
    output,
    stop,
  };
}
