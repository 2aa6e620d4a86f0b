/**
 * The GitHub Action: action.yml's steps run here the way a runner runs them (bash, the inputs
 * substituted, GITHUB_ACTION_PATH, GITHUB_EVENT_PATH with a pull_request payload,
 * GITHUB_STEP_SUMMARY, GITHUB_OUTPUT, RUNNER_TEMP) against real git checkouts. Only the
 * install step (npm ci) is not run: it needs the registry.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { getInput, readInputs } from "../../src/cli/action/index.js";
import { TempRepo } from "../support/git-repo.js";
import { seedCacheDir } from "../support/replay-templates.js";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as {
  inputs: Record<string, { default: string; description: string }>;
  outputs: Record<string, { value: string }>;
  runs: {
    using: string;
    steps: Array<{
      id?: string;
      name: string;
      run?: string;
      uses?: string;
      env?: Record<string, string>;
      if?: string;
    }>;
  };
};
const step = (id: string) => action.runs.steps.find((s) => s.id === id)!;

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, any>>;
}
const examples = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];
const PR_OPENED = examples
  .find((d) => d.name === "pull_request")!
  .examples.find((e) => e.action === "opened")!;

/** `${{ inputs.x }}` and `${{ github.action_path }}`, as the runner substitutes them. */
function substitute(text: string, inputs: Record<string, string>): string {
  return text.replace(/\$\{\{\s*([\w.-]+)\s*\}\}/g, (_m, expr: string) => {
    if (expr === "github.action_path") return ROOT;
    const name = /^inputs\.(.+)$/.exec(expr)?.[1];
    if (name === undefined) throw new Error(`unexpected expression ${expr}`);
    return inputs[name] ?? action.inputs[name]!.default;
  });
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
}

/** The runner's GITHUB_OUTPUT file format: `name=value` lines and `name<<DELIM` blocks. */
function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const heredoc = /^([\w-]+)<<(.+)$/.exec(lines[i]!);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      out[heredoc[1]!] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (lines[i]!.includes("=")) {
      const [k, ...v] = lines[i]!.split("=");
      out[k!] = v.join("=");
    }
  }
  return out;
}

class Runner {
  readonly temp = mkdtempSync(join(tmpdir(), "mw-runner-"));
  readonly eventPath = join(this.temp, "event.json");
  readonly summaryPath = join(this.temp, "summary.md");
  readonly outputPath = join(this.temp, "output");

  constructor(readonly workspace: string) {
    writeFileSync(this.summaryPath, "");
    writeFileSync(this.outputPath, "");
    // The fresh-database templates other test processes made (no initdb in the action's process).
    seedCacheDir(join(this.temp, "cache"));
  }

  event(name: string, payload: unknown): this {
    writeFileSync(this.eventPath, JSON.stringify(payload));
    this.eventName = name;
    return this;
  }
  eventName = "pull_request";

  runStep(id: string, inputs: Record<string, string> = {}): Run {
    const s = step(id);
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? "",
      HOME: this.temp,
      GITHUB_ACTIONS: "true",
      GITHUB_ACTION_PATH: ROOT,
      GITHUB_WORKSPACE: this.workspace,
      GITHUB_EVENT_NAME: this.eventName,
      GITHUB_EVENT_PATH: this.eventPath,
      GITHUB_STEP_SUMMARY: this.summaryPath,
      GITHUB_OUTPUT: this.outputPath,
      RUNNER_TEMP: this.temp,
      RUNNER_OS: "Linux",
      RUNNER_ARCH: "X64",
      MIGRATION_WARDEN_CACHE_DIR: join(this.temp, "cache"),
    };
    for (const [k, v] of Object.entries(s.env ?? {})) env[k] = substitute(v, inputs);
    writeFileSync(this.outputPath, "");
    const r = spawnSync("bash", ["-e", "-c", substitute(s.run!, inputs)], {
      cwd: this.workspace,
      env,
      encoding: "utf8",
      timeout: 120_000,
    });
    return {
      code: r.status ?? -1,
      stdout: r.stdout,
      stderr: r.stderr,
      summary: readFileSync(this.summaryPath, "utf8"),
      outputs: parseOutputs(readFileSync(this.outputPath, "utf8")),
    };
  }

  cleanup(): void {
    rmSync(this.temp, { recursive: true, force: true });
  }
}

function prPayload(base: string, head: string, number = 7): unknown {
  return {
    ...PR_OPENED,
    number,
    pull_request: {
      ...PR_OPENED.pull_request,
      number,
      base: { ...PR_OPENED.pull_request.base, sha: base },
      head: { ...PR_OPENED.pull_request.head, sha: head },
    },
  };
}

/**
 * The upstream repository, and a checkout of its pull request as actions/checkout makes it: the
 * merge commit of head into base, with the history `fetch-depth` gives.
 */
function pullRequest(files: Record<string, string>) {
  const upstream = new TempRepo();
  upstream.write({
    "migrations/000001_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
    "migrations/000001_init.down.sql": "DROP TABLE users;\n",
  });
  const base = upstream.commit("init");
  upstream.branch("feature");
  upstream.write(files);
  const head = upstream.commit("change");
  upstream.checkout("main");
  const checkout = (depth?: number) => {
    const dir = mkdtempSync(join(tmpdir(), "mw-checkout-"));
    const git = (...args: string[]) =>
      spawnSync("git", args, { cwd: dir, encoding: "utf8" }).stdout.trim();
    git("init", "-q");
    git("config", "user.email", "runner@example.com");
    git("config", "user.name", "runner");
    // actions/checkout's default (fetch-depth: 1) fetches the one commit it checks out.
    const refs = depth
      ? [`--depth=${depth}`, "main:refs/remotes/origin/main"]
      : ["main:refs/remotes/origin/main", "feature:refs/remotes/origin/feature"];
    git("fetch", "-q", `file://${upstream.dir}`, ...refs);
    git("checkout", "-q", "--detach", "origin/main");
    if (!depth) git("merge", "-q", "--no-ff", "-m", "Merge pull request", "origin/feature");
    return dir;
  };
  return { upstream, base, head, checkout };
}

const DROP = {
  "migrations/000002_drop.up.sql": "DROP TABLE users;\n",
  "migrations/000002_drop.down.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);\n",
};

const cleanups: Array<() => void> = [];
afterEach(() => {
  while (cleanups.length > 0) cleanups.pop()!();
});

function setUp(files: Record<string, string>, depth?: number) {
  const pr = pullRequest(files);
  const workspace = pr.checkout(depth);
  const runner = new Runner(workspace).event("pull_request", prPayload(pr.base, pr.head));
  cleanups.push(() => {
    pr.upstream.cleanup();
    rmSync(workspace, { recursive: true, force: true });
    runner.cleanup();
  });
  return { ...pr, workspace, runner };
}

beforeAll(() => {
  if (!existsSync(join(ROOT, "lib/cli/action/main.js")))
    throw new Error("run `npm run build` first (npm test does)");
});

describe("action.yml", () => {
  test("a composite action that builds this checkout, with the documented inputs and outputs", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs).sort()).toEqual(
      [
        "config",
        "database-url",
        "fail-on",
        "format",
        "replay",
        "sarif-file",
        "working-directory",
      ].sort(),
    );
    // Every input reaches the entry under the name it reads.
    const env = step("lint").env!;
    for (const name of Object.keys(action.inputs)) {
      const keys = Object.keys(env).filter((k) => env[k] === `\${{ inputs.${name} }}`);
      expect(keys).toHaveLength(1);
      expect(getInput({ [keys[0]!]: " value " }, name)).toBe("value");
    }
    // The defaults are valid values.
    const defaults = Object.fromEntries(
      Object.entries(action.inputs).map(([k, v]) => [
        `INPUT_${k.toUpperCase().replace(/-/g, "_")}`,
        v.default,
      ]),
    );
    expect(readInputs(defaults)).toEqual({
      config: null,
      failOn: "error",
      replay: true,
      databaseUrl: null,
      format: "github",
      sarifFile: null,
      workingDirectory: ".",
    });
    for (const [name, o] of Object.entries(action.outputs))
      expect(o.value).toBe(`\${{ steps.lint.outputs.${name} }}`);
    // The install step builds what the lint step runs.
    const install = action.runs.steps.find((s) => s.run?.includes("npm ci"))!;
    expect(install.if).toBe("steps.cache.outputs.cache-hit != 'true'");
    expect(install.run).toContain("npm run build");
    // Built before the dev dependencies (the compiler) are pruned.
    expect(install.run!.indexOf("npm run build")).toBeLessThan(
      install.run!.indexOf("npm prune --omit=dev"),
    );
    expect(step("lint").run).toBe('node "$GITHUB_ACTION_PATH/lib/cli/action/main.js"');
    expect(existsSync(join(ROOT, "src/cli/action/main.ts"))).toBe(true);
    // The Action runs from the CLI's bundle (the steps below run this entry), with WebAssembly
    // on Liftoff alone as the bin: the flag is set before the bundle, which may compile WASM, is
    // loaded; the Action's modules are not imported around the bundle.
    const entry = readFileSync(join(ROOT, "lib/cli/action/main.js"), "utf8");
    const flag = entry.indexOf('setFlagsFromString("--liftoff-only")');
    expect(flag).toBeGreaterThan(0);
    expect(entry.indexOf("loadBundle(")).toBeGreaterThan(flag);
    expect(entry).toContain('"../bundle/cli.cjs"');
    expect(entry).not.toMatch(/from "\.\/index\.js"|import\("\.\/index\.js"\)/);
  });

  test("the cache key follows the Node version and every source file", () => {
    const copy = mkdtempSync(join(tmpdir(), "mw-action-src-"));
    cleanups.push(() => rmSync(copy, { recursive: true, force: true }));
    mkdirSync(join(copy, "scripts"));
    for (const f of [
      "package.json",
      "package-lock.json",
      "tsconfig.json",
      "tsconfig.build.json",
      "scripts/build-cli.mjs",
    ])
      copyFileSync(join(ROOT, f), join(copy, f));
    mkdirSync(join(copy, "src/cli"), { recursive: true });
    writeFileSync(join(copy, "src/cli/a.ts"), "export const a = 1;\n");
    const key = () => {
      const out = join(copy, "out");
      writeFileSync(out, "");
      const r = spawnSync("bash", ["-e", "-c", step("node").run!], {
        env: {
          PATH: process.env.PATH,
          GITHUB_ACTION_PATH: copy,
          GITHUB_OUTPUT: out,
          RUNNER_OS: "Linux",
          RUNNER_ARCH: "X64",
        },
        encoding: "utf8",
      });
      expect(r.status).toBe(0);
      return parseOutputs(readFileSync(out, "utf8")).key!;
    };
    const first = key();
    expect(first).toMatch(
      new RegExp(
        `^migration-warden-Linux-X64-node${process.versions.node.split(".")[0]}-[0-9a-f]{32}$`,
      ),
    );
    expect(key()).toBe(first);
    writeFileSync(join(copy, "src/cli/a.ts"), "export const a = 2;\n");
    const second = key();
    expect(second).not.toBe(first);
    // The bundling step of `npm run build` is part of what the build depends on.
    writeFileSync(join(copy, "scripts/build-cli.mjs"), "// changed\n");
    expect(key()).not.toBe(second);
  });
});

describe("the lint step, as a runner runs it", () => {
  test("annotations for the pull request, the report in the job summary, outputs set", () => {
    const { runner, workspace } = setUp(DROP);
    const r = runner.runStep("lint", { replay: "false" });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::error file=migrations\/000002_drop\.up\.sql,line=1,endLine=1,title=drop-table::/m,
    );
    // The merge commit's own files are not what is linted: the head against the base.
    expect(r.summary).toMatch(/^### migration-warden\n\n\*\*1 error\*\*/);
    expect(r.summary).toContain("| 1 | error | [`drop-table`]");
    expect(r.summary).toContain("pull request #7");
    expect(r.outputs).toMatchObject({
      "exit-code": "1",
      errors: "1",
      "approval-required": "true",
    });
    const json = JSON.parse(readFileSync(r.outputs["json-file"]!, "utf8"));
    expect(Object.keys(json)).toEqual([
      "tool",
      "base",
      "head",
      "changed",
      "findings",
      "summary",
      "approvalRequired",
    ]);
    expect(json.changed.map((c: { path: string }) => c.path)).toEqual([
      "migrations/000002_drop.down.sql",
      "migrations/000002_drop.up.sql",
    ]);
    // Nothing is written into the checkout.
    expect(
      spawnSync("git", ["status", "--porcelain"], { cwd: workspace, encoding: "utf8" }).stdout,
    ).toBe("");
  });

  test("with the replay: schema changes and locks in the summary", () => {
    const { runner } = setUp({
      "migrations/000002_email.up.sql": "ALTER TABLE users ALTER COLUMN email TYPE varchar(320);\n",
      "migrations/000002_email.down.sql": "ALTER TABLE users ALTER COLUMN email TYPE text;\n",
    });
    const r = runner.runStep("lint", { "fail-on": "never" });
    expect(r.code).toBe(0);
    expect(r.outputs["exit-code"]).toBe("0");
    expect(r.summary).toContain("Sandbox replay: migrations (postgres)");
    expect(r.summary).toContain("**Schema changes**");
    expect(r.summary).toContain(
      "| ~ | column | `users.email` | type `text` → `character varying(320)` |",
    );
    expect(r.summary).toContain("**Locks on existing relations**");
    expect(r.summary).toContain("ACCESS EXCLUSIVE on table `users`");
    expect(r.stdout).toMatch(
      /^::error file=migrations\/000002_email\.up\.sql,line=1,endLine=1,title=alter-column-type::/m,
    );
  }, 120_000);

  test("a shallow checkout is a clear error naming fetch-depth: 0", () => {
    const { runner } = setUp(DROP, 1);
    const r = runner.runStep("lint", { replay: "false" });
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(
      /^::error title=migration-warden::.*is not in the checkout\..*fetch-depth: 0/m,
    );
    expect(r.stderr).toContain("fetch-depth: 0");
    expect(r.summary).toContain("fetch-depth: 0");
    expect(r.outputs["exit-code"]).toBe("2");
  });

  test("a shallow clone that has both commits is still refused (no merge base)", () => {
    const { runner, workspace, base, head } = setUp(DROP);
    // Both commits present, history cut below them.
    spawnSync("git", ["fetch", "-q", "--depth=1", "origin"], { cwd: workspace });
    writeFileSync(join(workspace, ".git/shallow"), `${base}\n${head}\n`);
    const r = runner.runStep("lint", { replay: "false" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("the checkout is shallow");
  });

  test("format text: the report in the log, fenced so migrations cannot print workflow commands", () => {
    const { runner } = setUp({
      ...DROP,
      "migrations/000003_x\n::error file=README.md::forged.up.sql": "SELECT 1;\n",
    });
    const r = runner.runStep("lint", { replay: "false", format: "text" });
    expect(r.code).toBe(1);
    const fence = /^::stop-commands::([0-9a-f]{32})$/m.exec(r.stdout);
    expect(fence).not.toBeNull();
    const [before, inside] = r.stdout.split(fence![0]);
    expect(inside).toContain(`::${fence![1]}::`);
    expect(inside).toContain("drop-table");
    // Outside the fence, every workflow command is ours: one escaped line per finding.
    for (const line of before!.split("\n").filter((l) => l.startsWith("::")))
      expect(line).toMatch(/^::(error|warning|notice) file=migrations\//);
    expect(before).not.toMatch(/^::error file=README\.md/m);
  });

  test("sarif-file, config and working-directory inputs", () => {
    const { runner, workspace } = setUp(DROP);
    writeFileSync(join(runner.temp, "strict.yml"), "rules:\n  drop-table: warning\n");
    const r = runner.runStep("lint", {
      replay: "false",
      "sarif-file": "out/results.sarif",
      config: join(runner.temp, "strict.yml"),
      "fail-on": "warning",
    });
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^::warning file=migrations\/000002_drop\.up\.sql,.*title=drop-table::/m,
    );
    const sarif = JSON.parse(readFileSync(join(workspace, "out/results.sarif"), "utf8"));
    expect(sarif.version).toBe("2.1.0");
    expect(sarif.runs[0].results[0].ruleId).toBe("drop-table");

    const nested = new Runner(join(workspace, "..")).event(
      "pull_request",
      JSON.parse(readFileSync(runner.eventPath, "utf8")),
    );
    cleanups.push(() => nested.cleanup());
    const n = nested.runStep("lint", {
      replay: "false",
      "working-directory": workspace.split("/").pop()!,
    });
    expect(n.code).toBe(1);
  });

  test("database-url: the MySQL replay uses that server, and its password is never shown", () => {
    const { runner } = setUp(DROP);
    // The workflow's own file (outside the repository): the migrations are MySQL's.
    const config = join(runner.temp, "mysql.yml");
    writeFileSync(config, "directories:\n  - path: migrations\n    dialect: mysql\n");
    // Control: no server, no replay of MySQL.
    const none = runner.runStep("lint", { config, "fail-on": "never" });
    expect(none.summary).toContain("there is no embedded MySQL");
    writeFileSync(runner.summaryPath, "");
    // A server nothing listens on: the replay tries it, and says so without the password.
    const r = runner.runStep("lint", {
      config,
      "fail-on": "never",
      "database-url": "mysql://mw:s3cret-pw@127.0.0.1:1/mw_replay",
    });
    expect(r.summary).toContain("cannot connect to mysql://mw@127.0.0.1:1/mw_replay");
    expect(r.summary).not.toContain("there is no embedded MySQL");
    const json = readFileSync(r.outputs["json-file"]!, "utf8");
    expect(json).toContain("mysql://mw@127.0.0.1:1/mw_replay");
    for (const text of [r.stdout, r.stderr, r.summary, json]) expect(text).not.toContain("s3cret");
  }, 120_000);

  test("bad inputs, other events and a missing checkout are exit 2 with an annotation", () => {
    const { runner } = setUp(DROP);
    const bad = runner.runStep("lint", { "fail-on": "sometimes" });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain(
      "::error title=migration-warden::input fail-on must be one of error, warning, notice, never",
    );
    expect(runner.runStep("lint", { replay: "maybe" }).code).toBe(2);

    runner.event("push", { ref: "refs/heads/main", before: "a".repeat(40), after: "b".repeat(40) });
    const push = runner.runStep("lint", { replay: "false" });
    expect(push.code).toBe(2);
    expect(push.stderr).toContain(
      'this action lints pull requests: run it on pull_request (or merge_group) events, not "push"',
    );

    const empty = mkdtempSync(join(tmpdir(), "mw-empty-"));
    cleanups.push(() => rmSync(empty, { recursive: true, force: true }));
    const none = new Runner(empty).event("pull_request", prPayload("a".repeat(40), "b".repeat(40)));
    cleanups.push(() => none.cleanup());
    const r = none.runStep("lint", { replay: "false" });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("is not a git checkout: run actions/checkout (with fetch-depth: 0)");
  });

  test("merge_group events lint the group's base to its head", () => {
    const { runner, base, head } = setUp(DROP);
    runner.event("merge_group", {
      action: "checks_requested",
      merge_group: {
        base_sha: base,
        head_sha: head,
        head_ref: "refs/heads/gh-readonly-queue/main/pr-7",
      },
    });
    const r = runner.runStep("lint", { replay: "false" });
    expect(r.code).toBe(1);
    expect(r.summary).toContain("merge group refs/heads/gh-readonly-queue/main/pr-7");
  });
});
