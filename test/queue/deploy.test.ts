/**
 * Dockerfile and docker-compose.yml, checked without Docker (it does not run on this project's
 * machines): the Dockerfile is the one docs/deployment.md shows, every path it copies and runs
 * exists, the compose file has Redis, the server and two workers wired together, and the worker
 * starts with the environment the compose file gives it.
 */
import { describe, expect, test } from "@jest/globals";
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateKeyPairSync } from "node:crypto";
import { parse } from "yaml";
import { startWorker } from "../support/app-server.mjs";
import { FakeGitHub } from "../support/fake-github.mjs";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const read = (p: string) => readFileSync(join(ROOT, p), "utf8");
const pkg = JSON.parse(read("package.json"));

/** Instructions of a Dockerfile: comments and blank lines dropped. */
function instructions(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l !== "" && !l.startsWith("#"));
}

const compose = parse(read("docker-compose.yml"), { merge: true }) as {
  services: Record<string, any>;
  volumes?: Record<string, unknown>;
};

/** Compose's ${VAR:-default} and ${VAR:?error} interpolation, from `vars`. */
function interpolate(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{(\w+)(?::([-?])([^}]*))?\}/g, (_, name, op, arg) => {
    if (vars[name]) return vars[name];
    if (op === "?") throw new Error(`${name}: ${arg}`);
    return op === "-" ? arg : "";
  });
}

describe("Dockerfile", () => {
  const dockerfile = instructions(read("Dockerfile"));

  test("is the one docs/deployment.md shows", () => {
    const doc = /```dockerfile\n([\s\S]*?)```/.exec(read("docs/deployment.md"));
    expect(doc).not.toBeNull();
    expect(instructions(doc![1]!)).toEqual(dockerfile);
  });

  test("copies only what exists or the build stage makes, and runs what the package has", () => {
    const ignored = instructions(read(".dockerignore"));
    const made = new Set(["node_modules", "lib"]);
    for (const line of dockerfile.filter((l) => l.startsWith("COPY "))) {
      const args = line.split(/\s+/).slice(1);
      const fromBuild = args[0] === "--from=build";
      const sources = (fromBuild ? args.slice(1) : args).slice(0, -1);
      for (const src of sources) {
        const rel = src.replace(/^\/app\/?/, "");
        if (rel === "." || rel === "") continue;
        if (fromBuild && made.has(rel)) continue;
        expect([rel, existsSync(join(ROOT, rel))]).toEqual([rel, true]);
        expect(ignored).not.toContain(rel);
      }
    }
    // What the build stage needs is in the context; what it makes is not copied in from outside.
    for (const needed of ["package.json", "package-lock.json", "src", "tsconfig.build.json"])
      expect(ignored).not.toContain(needed);
    expect(ignored).toEqual(expect.arrayContaining(["node_modules", "lib", ".env"]));
    // The build writes lib/ (tsconfig.build.json's outDir), which the last stage copies.
    expect(JSON.parse(read("tsconfig.build.json")).compilerOptions?.outDir ?? "lib").toMatch(
      /^(\.\/)?lib\/?$/,
    );
    expect(dockerfile).toContain("RUN npm run build && npm prune --omit=dev");
    // CMD = npm start; the binary and the built entry exist.
    const cmd = JSON.parse(dockerfile.find((l) => l.startsWith("CMD "))!.slice(4)) as string[];
    expect(cmd).toEqual(["node_modules/.bin/probot", "run", "./lib/app.js"]);
    expect(pkg.scripts.start).toBe("probot run ./lib/app.js");
    expect(existsSync(join(ROOT, cmd[0]!))).toBe(true);
    expect(existsSync(join(ROOT, cmd[2]!))).toBe(true);
    // Queue mode's dependencies are runtime ones (npm prune --omit=dev keeps them).
    expect(Object.keys(pkg.dependencies)).toEqual(expect.arrayContaining(["bullmq", "ioredis"]));
  });
});

describe("docker-compose.yml", () => {
  const { redis, app, worker } = compose.services;

  test("Redis, the server and two workers from the same image", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["app", "redis", "worker"]);
    expect(redis.image).toMatch(/^redis:7\.0/);
    // BullMQ loses jobs and locks if Redis evicts keys.
    expect(redis.command).toEqual(expect.arrayContaining(["--maxmemory-policy", "noeviction"]));
    expect(app.build).toBe(".");
    expect(worker.build).toBe(".");
    expect(worker.deploy.replicas).toBe(2);
    expect(app.ports).toEqual(["3000:3000"]);
    // The server keeps the image's CMD (npm start); the worker runs `npm run worker`.
    expect(app.command).toBeUndefined();
    expect(worker.command.join(" ")).toBe(pkg.scripts.worker);
    for (const s of [app, worker]) {
      expect(s.environment.REDIS_URL).toBe("redis://redis:6379");
      expect(s.depends_on.redis.condition).toBe("service_healthy");
    }
    // Long enough for the worker's drain (WORKER_DRAIN_SECONDS, 60 by default).
    expect(Number(/^(\d+)s$/.exec(worker.stop_grace_period)?.[1])).toBeGreaterThan(60);
  });

  test("credentials must be given: a missing one stops compose with a message", () => {
    expect(() => interpolate(worker.environment.APP_ID, {})).toThrow(/APP_ID/);
    expect(() => interpolate(worker.environment.PRIVATE_KEY, {})).toThrow(/PRIVATE_KEY/);
  });

  const REDIS = process.env.MW_TEST_REDIS_URL;
  (REDIS ? test : test.skip)(
    "`npm run worker` starts with the worker's environment from the compose file",
    async () => {
      const { privateKey } = generateKeyPairSync("rsa", {
        modulusLength: 2048,
        privateKeyEncoding: { type: "pkcs1", format: "pem" },
        publicKeyEncoding: { type: "spki", format: "pem" },
      });
      const fake = await new FakeGitHub({ appId: 77, privateKey }).start();
      const vars = { APP_ID: "77", PRIVATE_KEY: privateKey, WEBHOOK_SECRET: "s" };
      const env: Record<string, string> = {};
      for (const [k, v] of Object.entries(worker.environment as Record<string, string>))
        env[k] = interpolate(String(v), vars);
      // Inside compose "redis" resolves to the Redis service; here, to the test's redis-server.
      env.REDIS_URL = `${REDIS}/5`;
      // GHE_HOST points the worker at the fake GitHub; the compose default is github.com.
      delete env.GHE_HOST;
      delete env.GHE_PROTOCOL;
      const w = await startWorker({ fake, appId: 77, privateKey, redisUrl: env.REDIS_URL, env });
      try {
        const ready = w
          .output()
          .split("\n")
          .map((l) => (l.startsWith("{") ? JSON.parse(l) : null))
          .find((l) => l?.msg === "worker ready");
        expect(ready).toMatchObject({ concurrency: 8, replayConcurrency: 1, attempts: 3 });
      } finally {
        await w.stop();
        await fake.stop();
      }
    },
  );

  test("the worker refuses to start without REDIS_URL or with a bad setting, naming it", () => {
    const worker = join(ROOT, "lib", "worker.js");
    const run = (env: Record<string, string>) =>
      spawnSync(process.execPath, [worker], {
        env: { PATH: process.env.PATH ?? "", APP_ID: "1", ...env },
        encoding: "utf8",
        cwd: fileURLToPath(new URL(".", import.meta.url)),
      });
    const none = run({});
    expect([none.status, none.stderr]).toEqual([
      2,
      expect.stringContaining("REDIS_URL is not set"),
    ]);
    const bad = run({ REDIS_URL: "redis://127.0.0.1:1", WORKER_CONCURRENCY: "lots" });
    expect([bad.status, bad.stderr]).toEqual([
      2,
      expect.stringContaining('WORKER_CONCURRENCY must be an integer from 1 to 1000, not "lots"'),
    ]);
    const http = run({ REDIS_URL: "http://127.0.0.1:6379" });
    expect(http.stderr).toContain("REDIS_URL must start with redis:// or rediss://");
  });
});
