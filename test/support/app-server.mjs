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
const PROBOT = join(ROOT, "node_modules", "probot", "bin", "probot.js");

async function freePort() {
  const s = createServer();
  await new Promise((resolve) => s.listen(0, "127.0.0.1", resolve));
  const { port } = s.address();
  await new Promise((resolve) => s.close(resolve));
  return port;
}

/**
 * Starts the server with the app's credentials and JSON logs at `info`, and waits until it
 * answers /ping. `onOutput` gets its stdout and stderr as they come; `env` adds variables.
 */
export async function startAppServer({ fake, appId, privateKey, secret, env = {}, onOutput }) {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: run \`npm run build\` first`);
  const port = await freePort();
  // An empty working directory: no .env or .pem of the developer's is picked up by Probot.
  const cwd = mkdtempSync(join(tmpdir(), "mw-server-"));
  const child = spawn(process.execPath, [PROBOT, "run", APP], {
    cwd,
    env: {
      PATH: process.env.PATH ?? "",
      APP_ID: String(appId),
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: secret,
      GHE_HOST: fake.host,
      GHE_PROTOCOL: "http",
      HOST: "127.0.0.1",
      PORT: String(port),
      LOG_LEVEL: "info",
      LOG_FORMAT: "json",
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
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(cwd, { recursive: true, force: true });
  };

  const startBy = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || Date.now() > startBy) {
      await stop();
      throw new Error(`the app server did not start; its output:\n${output}`);
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
    output: () => output,
    stop,
  };
}
