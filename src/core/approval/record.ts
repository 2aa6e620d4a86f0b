/**
 * What the app writes into the `external_id` of its own `migration-warden/approval` check runs,
 * and the strict reader for it.
 *
 * Only the app that created a check run can modify it, so its runs are the one place in GitHub
 * where an approval click can be stored without a database and without trusting anything users
 * can edit (comments can be edited by anyone with write access). `external_id` is used rather
 * than the output text because the text also renders user-controlled strings (branch names, file
 * paths) in which a forged record could be planted. Any app with checks:write can still create a
 * run with the same name, so a record is read only from runs whose `app.id` is the app's own.
 *
 *   mw-approval/3;pr=12,15;digest=<64 hex>;base=<32 hex>;by=<login>;id=<account id>;at=2024-05-01T10:00:00Z
 *
 * - `pr`: the pull requests the run covers (ascending, at most 8); always present, so a click
 *   on a run of a fork PR can be traced to its PR without `check_run.pull_requests`. On an
 *   approval, the pull requests the click was accepted in the context of.
 * - `digest`: the head's migration digest when the run was created; a click is accepted only
 *   while it still matches. Absent when the evaluation had none (errors).
 * - `base`: the base branches those pull requests had when the run was evaluated (`baseBinding`):
 *   an approval binds to the base it was given against, so retargeting a pull request voids it.
 * - `by`, `id` and `at`: present only on runs created for an accepted "Approve migrations" click:
 *   the clicker's login then, their account id (the webhook's `sender.id`) and the time. A login
 *   can be renamed and claimed by another account; the id cannot (identity.ts).
 * The head commit is not repeated: it is the run's `head_sha`, which GitHub sets and nobody can
 * change. GitHub documents no length limit for `external_id`; records stay within 255 characters.
 *
 * Version 1 records (no `base`) are still read, so that the audit trail can name them, but they
 * never count as approvals: they cannot show which base they were given against. Version 2
 * records (no `id`) are still read and count, read as the account that holds their login at
 * evaluation (identity.ts `clicker`), as a plain login in `approval.users` is. Runs without a
 * click keep the version 2 form (they name no account); a click is written as version 3, or as
 * version 2 by a caller that has no account id for the clicker.
 */
import { createHash } from "node:crypto";
import {
  DIGEST,
  GIT_OID,
  GITHUB_LOGIN,
  APPROVAL_CHECK_NAME,
  type ButtonApproval,
  type ShownRun,
} from "./types.js";

export const RECORD_PREFIX = "mw-approval/";
export const RECORD_VERSION = 3 as const;
/** What a run without a click (or a click without an account id) is written as. */
const LOGIN_RECORD_VERSION = 2 as const;
const MAX_ACCOUNT_ID = Number.MAX_SAFE_INTEGER;
/** Domain separation for `baseBinding`. */
export const BASE_BINDING_SCHEME = "migration-warden/approval-base/v1";
/** A base binding: the first 128 bits of a SHA-256, lowercase hex (the record must stay short). */
export const BASE_BINDING = /^[0-9a-f]{32}$/;
export const EXTERNAL_ID_MAX_LENGTH = 255;
export const MAX_RECORD_PULL_REQUESTS = 8;
/** GitHub keeps the newest 1,000 check runs of one name in a check suite of a commit. */
export const MAX_KEPT_RUNS = 1000;
const MAX_PR_NUMBER = 2_147_483_647;

export interface ApprovalRunId {
  pullRequests: number[];
  digest: string | null;
  /** `baseBinding` of the pull requests' bases; null in version 1 records. */
  base: string | null;
  approval: { approver: string; approvedAt: string; approverId?: number } | null;
  /** Read from the record; the encoder writes 3 for a click with an account id, else 2. */
  version?: 1 | 2 | 3;
}

/**
 * Which base branch each pull request had: what an approval recorded in a run is bound to besides
 * the migration content. Sorted by number, so the same pull requests and bases always give the
 * same value, and JSON-encoded, so no two different lists share an encoding. 128 bits keep a
 * second pre-image out of reach while the record stays within its length.
 */
export function baseBinding(pulls: ReadonlyArray<{ number: number; baseRef: string }>): string {
  const pairs = [...pulls].map((p) => [p.number, p.baseRef] as const).sort((a, b) => a[0] - b[0]);
  return createHash("sha256")
    .update(JSON.stringify([BASE_BINDING_SCHEME, pairs]), "utf8")
    .digest("hex")
    .slice(0, 32);
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** The fields of a check run (REST or webhook `check_run`) the reader needs. */
export interface CheckRunFacts {
  id: number;
  name: string;
  /** `check_run.app.id`; null when GitHub did not say. */
  appId: number | null;
  headSha: string;
  externalId: string | null;
}

const RECORD_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** The record's time format (UTC, whole seconds) for a moment the adapter observed. */
export function recordTime(date: Date): string {
  if (Number.isNaN(date.getTime())) throw new RangeError("invalid date");
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** True for the exact form `recordTime` produces. */
export function validRecordTime(s: string): boolean {
  if (!RECORD_TIME.test(s)) return false;
  const d = new Date(s);
  // Round-trip rejects impossible dates that Date would roll over (2024-02-30).
  return !Number.isNaN(d.getTime()) && recordTime(d) === s;
}

function checkRunId(id: ApprovalRunId): string | null {
  const prs = id.pullRequests;
  if (prs.length === 0) return "at least one pull request number is required";
  if (prs.length > MAX_RECORD_PULL_REQUESTS)
    return `at most ${MAX_RECORD_PULL_REQUESTS} pull requests fit (got ${prs.length})`;
  for (let i = 0; i < prs.length; i++) {
    const n = prs[i]!;
    if (!Number.isInteger(n) || n < 1 || n > MAX_PR_NUMBER)
      return `pull request number ${n} is out of range`;
    if (i > 0 && n <= prs[i - 1]!) return "pull request numbers must be ascending and distinct";
  }
  if (id.digest !== null && !DIGEST.test(id.digest)) return `invalid digest "${id.digest}"`;
  if (id.base !== null && !BASE_BINDING.test(id.base)) return `invalid base binding "${id.base}"`;
  if (id.approval) {
    if (id.digest === null) return "an approval needs the digest it approved";
    if (id.base === null && id.version !== 1)
      return "an approval needs the base it was given against";
    if (!GITHUB_LOGIN.test(id.approval.approver))
      return `invalid approver login "${id.approval.approver}"`;
    const account = id.approval.approverId;
    if (
      account !== undefined &&
      !(Number.isSafeInteger(account) && account >= 1 && account <= MAX_ACCOUNT_ID)
    )
      return `invalid approver account id ${account}`;
    if (id.version === 3 && account === undefined)
      return "an approval needs the clicker's account id";
    if (!validRecordTime(id.approval.approvedAt))
      return `invalid approval time "${id.approval.approvedAt}" (expected YYYY-MM-DDTHH:MM:SSZ)`;
  }
  return null;
}

/**
 * The `external_id` for a run (always the current version); pull request numbers are sorted
 * here. Throws RangeError on invalid input, or when the record would not fit in 255 characters.
 */
export function encodeApprovalRunId(id: ApprovalRunId): string {
  const version = id.approval?.approverId !== undefined ? RECORD_VERSION : LOGIN_RECORD_VERSION;
  const sorted = {
    ...id,
    version,
    pullRequests: [...id.pullRequests].sort((a, b) => a - b),
  };
  const problem = checkRunId(sorted);
  if (problem) throw new RangeError(`cannot encode approval record: ${problem}`);
  let s = `${RECORD_PREFIX}${version};pr=${sorted.pullRequests.join(",")}`;
  if (sorted.digest !== null) s += `;digest=${sorted.digest}`;
  if (sorted.base !== null) s += `;base=${sorted.base}`;
  if (sorted.approval) {
    s += `;by=${sorted.approval.approver}`;
    if (sorted.approval.approverId !== undefined) s += `;id=${sorted.approval.approverId}`;
    s += `;at=${sorted.approval.approvedAt}`;
  }
  if (s.length > EXTERNAL_ID_MAX_LENGTH)
    throw new RangeError(
      `cannot encode approval record: ${s.length} characters, more than ${EXTERNAL_ID_MAX_LENGTH}`,
    );
  return s;
}

const GRAMMAR: Record<1 | 2 | 3, RegExp> = {
  1: /^pr=(\d+(?:,\d+)*)(?:;digest=([^;]*))?()(?:;by=([^;]*)();at=([^;]*))?$/,
  2: /^pr=(\d+(?:,\d+)*)(?:;digest=([^;]*))?(?:;base=([^;]*))?(?:;by=([^;]*)();at=([^;]*))?$/,
  3: /^pr=(\d+(?:,\d+)*)(?:;digest=([^;]*))?(?:;base=([^;]*))?(?:;by=([^;]*)(?:;id=([1-9]\d{0,15}))?;at=([^;]*))?$/,
};

/** Strict: anything but the exact canonical form the encoder writes is rejected. */
export function parseApprovalRunId(externalId: string): Parsed<ApprovalRunId> {
  if (externalId.length > EXTERNAL_ID_MAX_LENGTH)
    return { ok: false, reason: `longer than ${EXTERNAL_ID_MAX_LENGTH} characters` };
  if (!externalId.startsWith(RECORD_PREFIX))
    return { ok: false, reason: `not a migration-warden approval record` };
  const rest = externalId.slice(RECORD_PREFIX.length);
  const semi = rest.indexOf(";");
  const version = semi < 0 ? rest : rest.slice(0, semi);
  if (version !== "1" && version !== "2" && version !== "3")
    return { ok: false, reason: `unsupported record version "${version}"` };
  const v = version === "1" ? 1 : version === "2" ? 2 : 3;
  const m = GRAMMAR[v].exec(rest.slice(semi + 1));
  if (semi < 0 || !m) return { ok: false, reason: "malformed record" };
  const numbers = m[1]!.split(",");
  if (numbers.some((n) => !/^[1-9]\d{0,9}$/.test(n)))
    return { ok: false, reason: "malformed pull request number" };
  const id: ApprovalRunId = {
    pullRequests: numbers.map(Number),
    digest: m[2] ?? null,
    base: m[3] === undefined || m[3] === "" ? null : m[3],
    approval:
      m[4] !== undefined
        ? {
            approver: m[4],
            approvedAt: m[6]!,
            ...(m[5] ? { approverId: Number(m[5]) } : {}),
          }
        : null,
    version: v,
  };
  if (v !== 1 && m[3] === "") return { ok: false, reason: "malformed record" };
  // The encoder writes version 3 only for a click with the clicker's account id.
  if (v === 3 && !id.approval) return { ok: false, reason: "malformed record" };
  const problem = checkRunId(id);
  if (problem) return { ok: false, reason: problem };
  return { ok: true, value: id };
}

/**
 * Reads an approval check run. A run the app did not create, with another name, or with a
 * malformed record is rejected with the reason: the caller ignores it and never trusts it.
 */
export function readApprovalRun(run: CheckRunFacts, ownAppId: number): Parsed<ApprovalRunId> {
  const label = `check run ${run.id}`;
  if (run.appId !== ownAppId)
    return { ok: false, reason: `${label} was created by app ${run.appId}, not by this app` };
  if (run.name !== APPROVAL_CHECK_NAME)
    return { ok: false, reason: `${label} is "${run.name}", not ${APPROVAL_CHECK_NAME}` };
  if (!GIT_OID.test(run.headSha))
    return { ok: false, reason: `${label} has an invalid head sha "${run.headSha}"` };
  if (run.externalId === null || run.externalId === "")
    return { ok: false, reason: `${label} carries no approval record` };
  const parsed = parseApprovalRunId(run.externalId);
  return parsed.ok ? parsed : { ok: false, reason: `${label}: ${parsed.reason}` };
}

/** The button approval a run records: null when it is a valid run without one. */
export function readButtonApproval(
  run: CheckRunFacts,
  ownAppId: number,
): Parsed<ButtonApproval | null> {
  const parsed = readApprovalRun(run, ownAppId);
  if (!parsed.ok) return parsed;
  const { approval, digest, base, pullRequests } = parsed.value;
  if (!approval) return { ok: true, value: null };
  return {
    ok: true,
    value: {
      approver: approval.approver,
      ...(approval.approverId !== undefined ? { approverId: approval.approverId } : {}),
      approvedAt: approval.approvedAt,
      headSha: run.headSha,
      digest: digest!,
      base,
      pullRequests,
      checkRunId: run.id,
    },
  };
}

/**
 * What one of the app's approval runs showed: the digest its record carries for its head, with
 * when the run was created; null for runs without a digest, and anything malformed or foreign.
 */
export function readShownRun(
  run: CheckRunFacts,
  startedAt: string | null,
  ownAppId: number,
): ShownRun | null {
  const parsed = readApprovalRun(run, ownAppId);
  if (!parsed.ok || parsed.value.digest === null) return null;
  return {
    checkRunId: run.id,
    at: startedAt,
    digest: parsed.value.digest,
    pullRequests: parsed.value.pullRequests,
  };
}
