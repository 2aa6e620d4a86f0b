/**
 * The built bin ends a lint with process.exit() once stdout and stderr have taken everything
 * (src/cli/bin.ts): a report larger than a pipe holds, read slowly, must still arrive whole, with
 * the exit code the lint chose, and a reader that goes away early must not hang it. (On Linux a
 * pipe on stdout is written synchronously, so this guards the platforms where it is not: macOS.)
 */
import { afterAll, beforeAll, expect, test } from "@jest/globals";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = join(ROOT, "lib/cli/main.js");
let dir: string;

beforeAll(() => {
  if (!existsSync(bin)) throw new Error("run `npm run build` first (npm test does)");
  dir = mkdtempSync(join(tmpdir(), "mw-bin-exit-"));
  mkdirSync(join(dir, "migrations"));
  // Enough findings for a report several times a pipe's 64 KB.
  for (let i = 1; i <= 120; i++)
    writeFileSync(
      join(dir, `migrations/${String(i).padStart(6, "0")}_t${i}.up.sql`),
      Array.from({ length: 8 }, (_, j) => `ALTER TABLE t${i} DROP COLUMN c${j};\n`).join(""),
    );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The bin's stdout, read `delayMs` after it starts writing (or not at all: `closeEarly`). */
function run(
  args: string[],
  { delayMs = 0, closeEarly = false } = {},
): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "", MIGRATION_WARDEN_CACHE_DIR: "off" },
      stdio: ["ignore", "pipe", "ignore"],
    });
    const chunks: Buffer[] = [];
    child.stdout.once("readable", () => {
      if (closeEarly) return child.stdout.destroy();
      child.stdout.pause();
      setTimeout(() => child.stdout.on("data", (c: Buffer) => chunks.push(c)), delayMs);
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ out: Buffer.concat(chunks).toString("utf8"), code }));
  });
}

test("a report larger than the pipe, read late, arrives whole with the lint's exit code", async () => {
  const args = ["lint", "--no-replay", "--format", "json", "migrations"];
  const fast = await run(args);
  expect(fast.out.length).toBeGreaterThan(256 * 1024);
  const report = JSON.parse(fast.out) as { findings: unknown[] };
  expect(report.findings.length).toBeGreaterThan(500);
  expect(fast.code).toBe(1);
  const slow = await run(args, { delayMs: 500 });
  expect(slow.out).toBe(fast.out);
  expect(slow.code).toBe(1);
  const never = await run([...args, "--fail-on", "never"], { delayMs: 300 });
  expect(never.out).toBe(fast.out);
  expect(never.code).toBe(0);
}, 60_000);

test("a reader that goes away: the bin still ends", async () => {
  const r = await run(["lint", "--no-replay", "--format", "json", "migrations"], {
    closeEarly: true,
  });
  expect(r.code).not.toBeNull();
}, 60_000);
