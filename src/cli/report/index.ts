/** `migration-warden report <kind>`: reports read from GitHub, for auditors. */
import {
  renderApprovalsCsv,
  renderApprovalsJson,
  renderApprovalsMarkdown,
  type ApprovalsReport,
} from "../../core/report/approvals.js";
import { describeError } from "../../github/errors.js";
import { parseOptions, usageFailure } from "../args.js";
import { UsageError } from "../changeset.js";
import { inertForRunner } from "../format/github.js";
import { sanitize } from "../format/style.js";
import type { Io } from "../lint.js";
import { gatherApprovals, Progress, ReportError } from "./approvals.js";
import { reportClient } from "./client.js";

export const REPORT_USAGE = `Usage: migration-warden report approvals --repo OWNER/REPO --since DATE
                                         [--until DATE] [--format csv|json|markdown]
                                         [--app SLUG|ID] [--base BRANCH]

Lists every pull request merged in the range that changed migrations: the
migrations, the author, who approved (review or button) and when, the migration
digest approved vs the digest merged, and the exceptions (merged without a
passing approval, admin bypass, direct pushes flagged by the audit check).
Reads only GitHub.

Options:
  --repo OWNER/REPO  the repository
  --since DATE       start of the range: YYYY-MM-DD (UTC) or an ISO 8601 time
  --until DATE       end of the range, inclusive (a date covers its whole day;
                     default: now)
  --format FORMAT    markdown (default) | csv | json
  --app SLUG|ID      the migration-warden GitHub App whose check runs are
                     trusted (default: $MIGRATION_WARDEN_APP, else
                     "migration-warden")
  --base BRANCH      only pull requests merged into BRANCH
  -h, --help         show this help

Environment: GITHUB_TOKEN (or GH_TOKEN) with read access to the repository's
pull requests, contents and checks; GITHUB_API_URL for GitHub Enterprise Server
(https://HOST/api/v3). Progress goes to stderr.

Exit status: 0 = no exceptions, 1 = exceptions listed, 2 = usage or GitHub error
(message on stderr, nothing on stdout).
`;

const FORMATS = ["markdown", "csv", "json"] as const;
type ReportFormat = (typeof FORMATS)[number];

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** A date (a whole UTC day) or an ISO 8601 time with a zone. */
export function parseDate(value: string, flag: string, end: boolean): Date {
  const day = DAY.exec(value);
  if (day) {
    const d = new Date(`${value}T00:00:00.000Z`);
    if (Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== value)
      throw new UsageError(`${flag}: "${value}" is not a date`);
    return end ? new Date(d.getTime() + 86_400_000 - 1) : d;
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value))
    throw new UsageError(
      `${flag} must be YYYY-MM-DD or an ISO 8601 time with a zone (got "${value}")`,
    );
  const t = new Date(value);
  if (Number.isNaN(t.getTime())) throw new UsageError(`${flag}: "${value}" is not a valid time`);
  return t;
}

export async function runReport(argv: string[], io: Io): Promise<number> {
  const [kind, ...rest] = argv;
  if (kind === "-h" || kind === "--help" || kind === "help") {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  if (kind !== "approvals")
    return usageFailure(
      io,
      `${kind === undefined ? "name a report" : `unknown report "${sanitize(kind)}"`} (the report is "approvals")`,
      REPORT_USAGE,
    );
  let opts;
  try {
    opts = parseApprovalsArgs(rest, io.env);
  } catch (err) {
    if (err instanceof UsageError) return usageFailure(io, err.message, REPORT_USAGE);
    throw err;
  }
  if (opts === "help") {
    io.stdout(REPORT_USAGE);
    return 0;
  }
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) {
    io.stderr(
      "migration-warden: set GITHUB_TOKEN to a token that can read the repository's pull requests, contents and checks\n",
    );
    return 2;
  }
  const progress = new Progress(io.stderr);
  const octokit = reportClient({
    token,
    baseUrl: io.env.GITHUB_API_URL || "https://api.github.com",
    note: (line) => progress.note(line),
  });
  let report: ApprovalsReport;
  try {
    report = await gatherApprovals(octokit, opts.approvals, progress);
  } catch (err) {
    const message = err instanceof ReportError ? err.message : describeError(err);
    io.stderr(`migration-warden: report approvals failed: ${message}\n`);
    return 2;
  }
  const render =
    opts.format === "json"
      ? renderApprovalsJson
      : opts.format === "csv"
        ? renderApprovalsCsv
        : renderApprovalsMarkdown;
  // Pull request titles and commit messages reach the report; it may be a runner's log.
  io.stdout(inertForRunner(render(report), opts.format === "json" ? "json" : "markdown"));
  const s = report.summary;
  progress.note(
    `${s.pullRequests} pull request${s.pullRequests === 1 ? "" : "s"} changed migrations, ${s.withExceptions} with exceptions; ${s.directPushes} direct push${s.directPushes === 1 ? "" : "es"} flagged`,
  );
  return s.withExceptions + s.directPushes > 0 ? 1 : 0;
}

function parseApprovalsArgs(argv: string[], env: Io["env"]) {
  const parsed = parseOptions({
    args: argv,
    options: {
      repo: { type: "string" },
      since: { type: "string" },
      until: { type: "string" },
      format: { type: "string", default: "markdown" },
      app: { type: "string" },
      base: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const v = parsed.values;
  if (v.help) return "help" as const;
  const repo = /^([A-Za-z0-9](?:[A-Za-z0-9-]{0,38}))\/([A-Za-z0-9._-]{1,100})$/.exec(v.repo ?? "");
  if (!repo)
    throw new UsageError(`--repo must be OWNER/REPO (got ${JSON.stringify(v.repo ?? "")})`);
  if (v.since === undefined) throw new UsageError("--since DATE is required");
  const since = parseDate(v.since, "--since", false);
  const until = v.until === undefined ? new Date() : parseDate(v.until, "--until", true);
  if (since.getTime() > until.getTime()) throw new UsageError("--since is after --until");
  const format = v.format as ReportFormat;
  if (!FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${FORMATS.join(", ")} (got "${v.format}")`);
  const app = v.app ?? (env.MIGRATION_WARDEN_APP || "migration-warden");
  if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,99}$/.test(app))
    throw new UsageError(`--app must be the app's slug or numeric id (got "${sanitize(app)}")`);
  return {
    format,
    approvals: {
      repo: { owner: repo[1]!, repo: repo[2]! },
      since,
      until,
      app,
      ...(v.base !== undefined ? { base: v.base } : {}),
    },
  };
}
