/**
 * The GitHub Action (action.yml at the repository root): `lint` on the pull request that triggered
 * the workflow, with what a runner provides: the event payload (GITHUB_EVENT_PATH), the inputs
 * (INPUT_*), the job summary (GITHUB_STEP_SUMMARY) and step outputs (GITHUB_OUTPUT).
 *
 * - base = the pull request's base commit, head = its head commit (merge groups: the group's base
 *   and head); both must be in the checkout, which takes `fetch-depth: 0`.
 * - Annotations: the `github` format's workflow commands, always.
 * - The job summary: the check run's Markdown (findings, replay steps, locks, schema diff).
 * - `format` adds that report to the log; untrusted text in it is fenced off with
 *   `::stop-commands::` so a migration cannot print workflow commands of its own.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { appendFile, mkdir, open, readFile, realpath, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { ConfigError } from "../../config/load.js";
import { renderReportMarkdown } from "../../core/report/markdown.js";
import type { Report } from "../../core/types.js";
import { UsageError } from "../changeset.js";
import { escapeData, formatGithub, inertForRunner } from "../format/github.js";
import { formatJson } from "../format/json.js";
import { formatSarif } from "../format/sarif.js";
import { Git, GitError } from "../git.js";
import {
  exitCode,
  lint,
  render,
  FAIL_ON,
  FORMATS,
  type FailOn,
  type Format,
  type Io,
  type LintOptions,
} from "../lint.js";
import { cacheEnv } from "../cache-env.js";
import { cliReplay } from "../replay.js";

/** GitHub's limit for one step's job summary is 1 MiB; leave room for other steps' text. */
const SUMMARY_MAX_BYTES = 1_000_000;

export class ActionError extends Error {}

/**
 * An input as the composite step passes it (`INPUT_FAIL_ON`), else as a runner names it for a
 * JavaScript action (`INPUT_FAIL-ON`). The step's own variable first: `INPUT_FAIL-ON=never`
 * written to GITHUB_ENV by an earlier step is in the environment too, and the step's `env:`
 * replaces only the name it sets.
 */
export function getInput(env: Io["env"], name: string): string {
  const upper = name.toUpperCase().replace(/ /g, "_");
  const value = env[`INPUT_${upper.replace(/-/g, "_")}`] ?? env[`INPUT_${upper}`] ?? "";
  return value.trim();
}

/** YAML 1.2 core-schema booleans, like @actions/core's getBooleanInput. */
function booleanInput(env: Io["env"], name: string, dflt: boolean): boolean {
  const v = getInput(env, name);
  if (v === "") return dflt;
  if (["true", "True", "TRUE"].includes(v)) return true;
  if (["false", "False", "FALSE"].includes(v)) return false;
  throw new ActionError(`input ${name} must be true or false (got "${v}")`);
}

function choiceInput<T extends string>(
  env: Io["env"],
  name: string,
  choices: readonly T[],
  dflt: T,
): T {
  const v = getInput(env, name);
  if (v === "") return dflt;
  if (!(choices as readonly string[]).includes(v))
    throw new ActionError(`input ${name} must be one of ${choices.join(", ")} (got "${v}")`);
  return v as T;
}

export interface ActionInputs {
  config: string | null;
  failOn: FailOn;
  replay: boolean;
  databaseUrl: string | null;
  format: Format;
  sarifFile: string | null;
  workingDirectory: string;
}

export function readInputs(env: Io["env"]): ActionInputs {
  return {
    config: getInput(env, "config") || null,
    failOn: choiceInput(env, "fail-on", FAIL_ON, "error"),
    replay: booleanInput(env, "replay", true),
    databaseUrl: getInput(env, "database-url") || null,
    format: choiceInput(env, "format", FORMATS, "github"),
    sarifFile: getInput(env, "sarif-file") || null,
    workingDirectory: getInput(env, "working-directory") || ".",
  };
}

export interface Revisions {
  base: string;
  head: string;
  /** "pull request #12" / "merge group …", for messages. */
  what: string;
}

const SHA = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** base and head from the event that started the workflow. */
export async function eventRevisions(env: Io["env"]): Promise<Revisions> {
  const name = env.GITHUB_EVENT_NAME ?? "";
  const path = env.GITHUB_EVENT_PATH;
  if (!path)
    throw new ActionError(
      "GITHUB_EVENT_PATH is not set: run this action in a GitHub Actions workflow",
    );
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(await readFile(path, "utf8")) as Record<string, unknown>;
  } catch (err) {
    throw new ActionError(`cannot read the event payload ${path}: ${(err as Error).message}`);
  }
  const pick = (o: unknown, ...keys: string[]): unknown =>
    keys.reduce<unknown>(
      (v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined),
      o,
    );
  let base: unknown;
  let head: unknown;
  let what: string;
  if (name === "merge_group" || (name === "" && pick(payload, "merge_group") !== undefined)) {
    base = pick(payload, "merge_group", "base_sha");
    head = pick(payload, "merge_group", "head_sha");
    what = `merge group ${String(pick(payload, "merge_group", "head_ref") ?? "")}`.trim();
  } else if (pick(payload, "pull_request") !== undefined) {
    base = pick(payload, "pull_request", "base", "sha");
    head = pick(payload, "pull_request", "head", "sha");
    what = `pull request #${String(pick(payload, "pull_request", "number"))}`;
  } else {
    throw new ActionError(
      `this action lints pull requests: run it on pull_request (or merge_group) events, not "${name || "unknown"}"; elsewhere run "migration-warden lint --base <ref> --head <ref>"`,
    );
  }
  if (typeof base !== "string" || !SHA.test(base) || typeof head !== "string" || !SHA.test(head))
    throw new ActionError(`the event payload has no valid base and head commit for the ${what}`);
  return { base, head, what };
}

const FETCH_DEPTH =
  "Check out with full history: add `with: { fetch-depth: 0 }` to the actions/checkout step (a shallow clone has neither the base commit nor the history to the merge base)";

/** The base and head commits and the history between them must be in the checkout. */
async function checkHistory(git: Git, revs: Revisions): Promise<void> {
  const shallow = await isShallow(git.root);
  for (const [label, sha] of [
    ["base", revs.base],
    ["head", revs.head],
  ] as const) {
    if ((await git.tryResolve(sha)) === null)
      throw new ActionError(
        `the ${revs.what}'s ${label} commit ${sha} is not in the checkout. ${FETCH_DEPTH}.`,
      );
  }
  if (shallow) throw new ActionError(`the checkout is shallow. ${FETCH_DEPTH}.`);
}

function isShallow(root: string): Promise<boolean> {
  return new Promise((res) =>
    execFile("git", ["-C", root, "rev-parse", "--is-shallow-repository"], (err, out) =>
      res(!err && out.trim() === "true"),
    ),
  );
}

/**
 * An input's path, lexically: below the workspace, on the workspace's real path (git names the
 * root with links resolved), and nothing else resolved. A link in the checkout is the pull
 * request's, and must not take a path out of the repository.
 */
async function inWorkspace(workspace: string, input: string): Promise<string> {
  const abs = resolve(workspace, input);
  const within = relative(workspace, abs);
  if (within === ".." || within.startsWith(`..${sep}`) || isAbsolute(within)) return abs;
  return resolve(await realpath(workspace).catch(() => workspace), within);
}

/**
 * The `config` input's file as the pull request's base has it. The checkout is the pull request's
 * (its merge commit): a file there is the one the pull request may have changed, and reading it
 * would let a pull request choose its own rules and policy, which the configuration read from the
 * base exists to prevent. A file in the repository is therefore read at the base commit; one the
 * pull request adds is refused; one outside the repository, or in no commit (written by an earlier
 * step of the workflow), is the workflow's and is read from disk (null).
 */
async function configAtBase(
  git: Git,
  path: string,
  revs: Revisions,
): Promise<{ text: string; ref: string } | null> {
  const rel = relative(git.root, path);
  if (rel === "" || rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return null;
  const name = rel.split(sep).join("/");
  const atBase = await git.readAt(revs.base, name);
  if (atBase !== null) return { text: atBase.toString("utf8"), ref: revs.base };
  if ((await git.readAt(revs.head, name)) !== null)
    throw new ActionError(
      `input config: ${name} is not in the ${revs.what}'s base commit ${revs.base}; the pull request adds it, and a pull request cannot choose its own configuration (merge it first, or name a file the base has)`,
    );
  return null;
}

/**
 * The `sarif-file` input's file. A path inside the checkout may run through a symbolic link the
 * pull request added (`results.sarif` → a file of the runner's, `reports/` → another directory):
 * writing through it would let the pull request choose which file the Action overwrites. Inside
 * the repository the file is written only where the path says (no link on the way, the file
 * itself opened without following one); a path outside it is the workflow's.
 */
async function writeSarif(git: Git, workspace: string, input: string, text: string) {
  const path = await inWorkspace(workspace, input);
  const rel = relative(git.root, path);
  const inCheckout = !(rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel));
  if (!inCheckout) {
    await mkdir(dirname(path), { recursive: true });
    return writeFile(path, text);
  }
  // The nearest directory that exists must be where the path says, before anything is created.
  let dir = dirname(path);
  for (;;) {
    const real = await realpath(dir).catch(() => null);
    if (real !== null) {
      if (real !== dir)
        throw new ActionError(
          `input sarif-file: ${input} is in a directory reached through a symbolic link in the checkout; refusing to write through it (name a path without links, or one outside the repository such as $RUNNER_TEMP)`,
        );
      break;
    }
    dir = dirname(dir);
  }
  await mkdir(dirname(path), { recursive: true });
  let file;
  try {
    file = await open(
      path,
      constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW,
    );
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ELOOP")
      throw new ActionError(
        `input sarif-file: ${input} is a symbolic link in the checkout; refusing to write through it (name a path without links, or one outside the repository such as $RUNNER_TEMP)`,
      );
    throw err;
  }
  try {
    await file.writeFile(text);
  } finally {
    await file.close();
  }
}

/** Untrusted text for the log: between stop-commands markers nothing is a workflow command. */
export function fenced(text: string): string {
  const token = randomBytes(16).toString("hex");
  return `::stop-commands::${token}\n${text.endsWith("\n") ? text : `${text}\n`}::${token}::\n`;
}

async function appendOutputs(env: Io["env"], values: Record<string, string>): Promise<void> {
  const file = env.GITHUB_OUTPUT;
  if (!file) return;
  const lines = Object.entries(values).map(([k, v]) => {
    const delimiter = `mw_${randomBytes(8).toString("hex")}`;
    return `${k}<<${delimiter}\n${v}\n${delimiter}\n`;
  });
  await appendFile(file, lines.join(""));
}

export async function runAction(out: Io): Promise<number> {
  // stderr is read for workflow commands too, and messages quote file names and errors.
  const io: Io = { ...out, stderr: (s) => out.stderr(inertForRunner(s, "text")) };
  const env = io.env;
  const workspace = env.GITHUB_WORKSPACE || io.cwd;
  try {
    const inputs = readInputs(env);
    const revs = await eventRevisions(env);
    const cwd = resolve(workspace, inputs.workingDirectory);
    const git = await Git.open(cwd);
    if (!git)
      throw new ActionError(
        `${cwd} is not a git checkout: run actions/checkout (with fetch-depth: 0) before this action`,
      );
    await checkHistory(git, revs);

    const opts: LintOptions = {
      base: revs.base,
      head: revs.head,
      format: inputs.format,
      failOn: inputs.failOn,
      cwd,
      replay: inputs.replay,
      paths: [],
    };
    if (inputs.config) {
      opts.config = isAbsolute(inputs.config) ? inputs.config : join(workspace, inputs.config);
      const text = await configAtBase(git, await inWorkspace(workspace, inputs.config), revs);
      if (text !== null) opts.configText = text;
    }
    // The replay reads its server URL from the environment, as the CLI does.
    const replayEnv = cacheEnv(
      inputs.databaseUrl ? { ...env, MIGRATION_WARDEN_DATABASE_URL: inputs.databaseUrl } : env,
      git,
      io,
    );
    const report = await lint(opts, cliReplay({ env: replayEnv }));
    const code = exitCode(report, inputs.failOn);

    io.stdout(formatGithub(report));
    if (inputs.format !== "github")
      io.stdout(fenced(render(report, inputs.format, { color: false })));
    await writeSummary(env, report, revs);
    if (inputs.sarifFile) await writeSarif(git, workspace, inputs.sarifFile, formatSarif(report));
    const jsonFile = join(env.RUNNER_TEMP || cwd, "migration-warden.json");
    await writeFile(jsonFile, formatJson(report));
    await appendOutputs(env, {
      "exit-code": String(code),
      errors: String(report.summary.error),
      warnings: String(report.summary.warning),
      notices: String(report.summary.notice),
      suppressed: String(report.summary.suppressed),
      "approval-required": String(report.approvalRequired),
      "json-file": jsonFile,
    });
    return code;
  } catch (err) {
    const known =
      err instanceof ActionError ||
      err instanceof UsageError ||
      err instanceof ConfigError ||
      err instanceof GitError;
    const message = known ? err.message : `internal error: ${(err as Error).stack ?? String(err)}`;
    io.stdout(`::error title=migration-warden::${escapeData(message)}\n`);
    io.stderr(`migration-warden: ${message}\n`);
    if (env.GITHUB_STEP_SUMMARY)
      await appendFile(
        env.GITHUB_STEP_SUMMARY,
        `### migration-warden\n\n> [!CAUTION]\n> ${message.split("\n")[0]}\n`,
      ).catch(() => {});
    await appendOutputs(env, { "exit-code": "2" }).catch(() => {});
    return 2;
  }
}

async function writeSummary(env: Io["env"], report: Report, revs: Revisions): Promise<void> {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  const { markdown } = renderReportMarkdown(report, {
    maxBytes: SUMMARY_MAX_BYTES,
    omittedHint: "Every finding is still annotated on its file.",
    footer: [`${revs.what}`],
  });
  await appendFile(file, `### migration-warden\n\n${markdown}`);
}
