/**
 * The head commit's runs of this app's checks, read in the first query of a pull request event
 * (pull-request-query.ts) instead of the check-runs listing the writer sent just before writing
 * (`GET /commits/{head}/check-runs?filter=all`, written.ts runsOnCommit).
 *
 * What it reads: the pull request's last commit (verified to be `headRefOid`), every check suite
 * on it, of every app (GitHub shows the newest run of a name whichever app wrote it), and in each
 * suite every run named like one of `HEAD_RUN_NAMES`. `checkType: ALL` is given explicitly: the
 * schema declares no default for it and its other value, LATEST, lists only the newest run of a
 * name, while the writer needs them all (an evaluation's marker on an older run).
 *
 * Nothing uncertain is used; any of these and the writer lists the runs by REST as before:
 * the part missing or null, the last commit not the head, a connection that does not hold all
 * its `totalCount` (or says it has a next page), a suite without its repository, a run with a
 * field missing or of an unknown kind, a run under the alias of another name, one run twice.
 * A suite of another repository (a fork sharing the commit) is left out: REST lists this
 * repository's runs only.
 *
 * Limits keep the part's cost (GitHub counts every nested connection at its `first`; a run's
 * annotation count is one connection per run) at (1 + 1 + 2·SUITES + 2·SUITES·RUNS) / 100, about
 * 4 points of the GraphQL budget: a commit with more suites, or more runs of one name in a suite,
 * is read by REST.
 */
import { APPROVAL_CHECK_NAME, LINT_CHECK_NAME } from "../../core/approval/index.js";
import type { WrittenRun } from "../checks/written.js";
import type { FirstReadPart } from "./parts.js";

/** The runs the first query reads: the checks a pull request event writes. */
export const HEAD_RUN_NAMES: readonly string[] = [LINT_CHECK_NAME, APPROVAL_CHECK_NAME];
/** Check suites read on the head (one per app, one per workflow run of GitHub Actions). */
const SUITES = 20;
/** Runs of one name read per suite (one per evaluation of the head). */
const RUNS = 10;

const RUN_FIELDS =
  "databaseId name status conclusion externalId summary url annotations(first: 1) { totalCount }";

/** The part of `pullRequest { … }` in the first query. */
export const HEAD_RUNS_FRAGMENT = `headRuns: commits(last: 1) {
        nodes {
          commit {
            oid
            checkSuites(first: ${SUITES}) {
              totalCount
              pageInfo { hasNextPage }
              nodes {
                app { databaseId }
                repository { databaseId }
${HEAD_RUN_NAMES.map(
  (name, i) =>
    `                runs${i}: checkRuns(first: ${RUNS}, filterBy: { checkName: ${JSON.stringify(name)}, checkType: ALL }) {
                  totalCount
                  pageInfo { hasNextPage }
                  nodes { ${RUN_FIELDS} }
                }`,
).join("\n")}
              }
            }
          }
        }
      }`;

/** The part of the first query: an error GitHub reports only inside it costs only the runs. */
export const HEAD_RUNS_PART: FirstReadPart<HeadRuns> = {
  fragment: HEAD_RUNS_FRAGMENT,
  aliases: ["headRuns"],
  parse: (raw, info) => headRunsOf(raw.headRuns, info.headSha, info.baseRepoId) ?? undefined,
};

/** The head's runs of `names` (every app), as the REST listing gives them. */
export interface HeadRuns {
  sha: string;
  names: readonly string[];
  runs: WrittenRun[];
}

const STATUSES = new Set(["QUEUED", "IN_PROGRESS", "COMPLETED", "WAITING", "PENDING", "REQUESTED"]);
const CONCLUSIONS = new Set([
  "ACTION_REQUIRED",
  "CANCELLED",
  "FAILURE",
  "NEUTRAL",
  "SKIPPED",
  "STALE",
  "STARTUP_FAILURE",
  "SUCCESS",
  "TIMED_OUT",
]);

class Unusable extends Error {}

function need(ok: unknown): asserts ok {
  if (!ok) throw new Unusable();
}

const isId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;
const isCount = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) >= 0;
const isNullableString = (s: unknown): s is string | null => s === null || typeof s === "string";

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | null =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Json) : null;

/** The nodes of a connection that holds all of them; throws Unusable otherwise. */
function wholeNodes(v: unknown): unknown[] {
  const c = obj(v);
  need(c && Array.isArray(c.nodes) && isCount(c.totalCount));
  need(c.totalCount === c.nodes.length && obj(c.pageInfo)?.hasNextPage === false);
  return c.nodes;
}

/**
 * The runs from the first query's `headRuns` part when it is whole and shows the head `headSha`
 * of the repository `repoId`; null (list them by REST) otherwise.
 */
export function headRunsOf(raw: unknown, headSha: string, repoId: number): HeadRuns | null {
  try {
    const nodes = obj(raw)?.nodes;
    need(Array.isArray(nodes) && nodes.length === 1);
    const commit = obj(obj(nodes[0])?.commit);
    need(commit && commit.oid === headSha);
    const runs: WrittenRun[] = [];
    for (const s of wholeNodes(commit.checkSuites)) {
      const suite = obj(s);
      need(suite);
      const suiteRepo = obj(suite.repository)?.databaseId;
      need(isId(suiteRepo));
      if (suiteRepo !== repoId) continue;
      need(suite.app === null || obj(suite.app));
      const appId = suite.app === null ? null : obj(suite.app)!.databaseId;
      need(appId === null || isId(appId));
      for (const [i, name] of HEAD_RUN_NAMES.entries())
        for (const r of wholeNodes(suite[`runs${i}`])) runs.push(writtenRun(r, name, appId));
    }
    need(new Set(runs.map((r) => r.id)).size === runs.length);
    return { sha: headSha, names: HEAD_RUN_NAMES, runs };
  } catch (err) {
    if (err instanceof Unusable) return null;
    throw err;
  }
}

/** One run as written.ts's REST listing maps it (GitHub's enums in REST's lower case). */
function writtenRun(raw: unknown, name: string, appId: number | null): WrittenRun {
  const r = obj(raw);
  need(r && isId(r.databaseId) && r.name === name);
  need(typeof r.status === "string" && STATUSES.has(r.status));
  need(
    r.conclusion === null || (typeof r.conclusion === "string" && CONCLUSIONS.has(r.conclusion)),
  );
  need(isNullableString(r.externalId) && isNullableString(r.summary));
  need(typeof r.url === "string");
  const annotations = obj(r.annotations)?.totalCount;
  need(isCount(annotations));
  return {
    id: r.databaseId,
    name,
    appId,
    status: r.status.toLowerCase(),
    conclusion: r.conclusion === null ? null : r.conclusion.toLowerCase(),
    externalId: r.externalId,
    summary: r.summary,
    annotationsCount: annotations,
    url: r.url,
  };
}
