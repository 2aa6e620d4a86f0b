/**
 * One evaluation's check-run creates in one request: a GraphQL mutation with one aliased
 * `createCheckRun` field per run (GitHub executes a document's mutation fields one after the
 * other). Each run is exactly the REST create body it replaces (uncertain-writes.ts), the marker
 * in its summary included, so every guarantee of the REST writes holds here too:
 * - no duplicate when an answer is lost: the mutation goes out once (`retries: 0`) and is retried
 *   with the client's policy (octokit.ts retriesOf); after an attempt whose outcome is uncertain,
 *   the next one first lists this app's runs on the commit and adopts every run whose last marker
 *   is one it sent, re-sending only the others;
 * - an answer with data for some aliases and `errors` (or a null checkRun: GitHub answers so, with
 *   no error, for more annotations than it accepts) for others: the runs with data are written;
 *   each other one goes the REST way (createCheckRun), asking first whether the mutation created
 *   it after all (an error beside data does not prove the field did nothing);
 * - a mutation whose every attempt fails: each run gets the error, for the writer to report it as
 *   today (write.ts reportFailedWrite);
 * - what GraphQL cannot carry (any REST body key not mapped below) is created by REST.
 *
 * Why one request carrying N creates is paced as one write: GitHub's secondary limits count
 * requests, not fields (a GraphQL request with mutations costs 5 points however many it carries,
 * 2,000 points a minute; "wait at least one second between" POST requests), and the content
 * creation limit (80 content-generating requests a minute) is never reached sooner than by the N
 * REST creates this request replaces, however GitHub counts its fields. So the throttling plugin's
 * write limiter (one slot per POST /graphql) stays what paces it.
 *
 * The look after writing (write.ts endPassesHidingNewer) is NOT read in this request's payload:
 * GitHub does not promise that a read inside a mutation's answer sees what other processes wrote
 * meanwhile, so it stays its own request, sent after this answer.
 */
import type { GitHubClient } from "../client.js";
import { runMutationBatch, type BatchResult } from "./mutation-batch.js";
import { ownAppId } from "../client.js";
import {
  createCheckRun,
  lastMarker,
  type CheckRunData,
  type CreateCheckRun,
} from "./uncertain-writes.js";

/** What the writer needs of a created run (CheckRun): its id, app and annotation count. */
export interface CreatedRun {
  id: number;
  /** Its GraphQL node id (a later update in a mutation names the run by it). */
  node_id?: string;
  app?: { id: number } | null;
  output?: { annotations_count?: number } | null;
  html_url?: string | null;
}

export type Created = BatchResult<CreatedRun>;

/** Sent once: retried in mutation-batch.ts. */
const ONCE = { retries: 0 } as const;

const FIELDS = `checkRun { id databaseId url checkSuite { app { databaseId } } annotations(first: 1) { totalCount } }`;

/** The mutation document creating `count` runs, aliased c0…c{count-1}. */
export function createRunsMutation(count: number): string {
  const ids = Array.from({ length: count }, (_, i) => `c${i}`);
  return [
    `mutation MigrationWardenCreateCheckRuns(${ids.map((c) => `$${c}: CreateCheckRunInput!`).join(", ")}) {`,
    ...ids.map((c) => `  ${c}: createCheckRun(input: $${c}) { ${FIELDS} }`),
    "}",
  ].join("\n");
}

/** REST body keys the mutation input carries (anything else: REST). */
const CARRIED = new Set([
  "owner",
  "repo",
  "name",
  "head_sha",
  "external_id",
  "details_url",
  "status",
  "conclusion",
  "output",
  "actions",
]);
const OUTPUT_CARRIED = new Set(["title", "summary", "text", "annotations"]);
const ANNOTATION_CARRIED = new Set([
  "path",
  "start_line",
  "end_line",
  "start_column",
  "end_column",
  "annotation_level",
  "message",
  "title",
  "raw_details",
]);
const ACTION_CARRIED = new Set(["label", "description", "identifier"]);

const only = (o: object, keys: Set<string>) => Object.keys(o).every((k) => keys.has(k));

/** The mutation input of a REST create body, or null when it carries what GraphQL cannot. */
export function createRunInput(
  repositoryId: string,
  p: CreateCheckRun,
): Record<string, unknown> | null {
  if (!only(p, CARRIED) || (p.output && !only(p.output, OUTPUT_CARRIED))) return null;
  const annotations = p.output?.annotations ?? [];
  const actions = p.actions ?? [];
  if (!annotations.every((a) => only(a, ANNOTATION_CARRIED))) return null;
  if (!actions.every((a) => only(a, ACTION_CARRIED))) return null;
  const upper = (s: string) => s.toUpperCase();
  return {
    repositoryId,
    name: p.name,
    headSha: p.head_sha,
    ...(p.external_id !== undefined ? { externalId: p.external_id } : {}),
    ...(p.details_url !== undefined ? { detailsUrl: p.details_url } : {}),
    ...(p.status !== undefined ? { status: upper(p.status) } : {}),
    ...(p.conclusion !== undefined ? { conclusion: upper(p.conclusion) } : {}),
    ...(p.output
      ? {
          output: {
            title: p.output.title,
            summary: p.output.summary,
            ...(p.output.text !== undefined ? { text: p.output.text } : {}),
            ...(p.output.annotations
              ? {
                  annotations: p.output.annotations.map((a) => ({
                    path: a.path,
                    location: {
                      startLine: a.start_line,
                      endLine: a.end_line,
                      ...(a.start_column !== undefined ? { startColumn: a.start_column } : {}),
                      ...(a.end_column !== undefined ? { endColumn: a.end_column } : {}),
                    },
                    annotationLevel: upper(a.annotation_level),
                    message: a.message,
                    ...(a.title !== undefined ? { title: a.title } : {}),
                    ...(a.raw_details !== undefined ? { rawDetails: a.raw_details } : {}),
                  })),
                }
              : {}),
          },
        }
      : {}),
    ...(p.actions
      ? {
          actions: p.actions.map((a) => ({
            label: a.label,
            description: a.description,
            identifier: a.identifier,
          })),
        }
      : {}),
  };
}

interface RawRun {
  id?: unknown;
  databaseId?: unknown;
  url?: unknown;
  checkSuite?: { app?: { databaseId?: unknown } | null } | null;
  annotations?: { totalCount?: unknown } | null;
}

const isId = (n: unknown): n is number => Number.isSafeInteger(n) && (n as number) > 0;

/**
 * A created run from one alias's answer, or null when it is not a plain, whole one. The app that
 * created it is part of whole: the look after writing (write.ts endPassesHidingNewer) finds a
 * newer evaluation's run by it, and in a token-only setup (no app id in the credentials) nothing
 * else names it. REST's create always answered it; an answer with data and errors can leave it
 * null (its check suite unreadable), and a pass would then never be looked after. Such a run goes
 * the REST way, which adopts it by marker from a listing that names its app.
 */
function createdOf(raw: RawRun | null | undefined): CreatedRun | null {
  if (!raw || !isId(raw.databaseId)) return null;
  const app = raw.checkSuite?.app?.databaseId;
  if (!isId(app)) return null;
  const count = raw.annotations?.totalCount;
  return {
    id: raw.databaseId,
    ...(typeof raw.id === "string" && raw.id !== "" ? { node_id: raw.id } : {}),
    app: { id: app },
    ...(Number.isSafeInteger(count) ? { output: { annotations_count: count as number } } : {}),
    html_url: typeof raw.url === "string" ? raw.url : null,
  };
}

/**
 * Creates every run of `params` (REST create bodies, each with its marker: uncertain-writes.ts
 * runMarker), at most once each, in one mutation request when all goes well. Answers in order.
 */
export async function createCheckRuns(
  octokit: GitHubClient,
  repositoryId: string,
  params: readonly CreateCheckRun[],
): Promise<Created[]> {
  // A single run gains nothing from the mutation, but one path for every write is simpler to
  // trust; every run goes in it unless GraphQL cannot carry it.
  return runMutationBatch<CreatedRun>(octokit, {
    inputs: params.map((p) => createRunInput(repositoryId, p)),
    document: createRunsMutation,
    alias: "c",
    answered: (field) => createdOf((field as { checkRun?: RawRun | null } | null)?.checkRun),
    tookEffect: (pending) =>
      createdByMarker(
        octokit,
        pending.map((i) => params[i]!),
      ),
    byRest: (i, askFirst) => createCheckRun(octokit, params[i]!, { askFirst }),
  });
}

/**
 * For each create, this app's run on its commit whose last marker is the create's, or null: one
 * listing of the newest runs (a run created moments ago is on the first page), for all of them.
 */
async function createdByMarker(
  octokit: GitHubClient,
  params: readonly CreateCheckRun[],
): Promise<Array<CheckRunData | null>> {
  const appId = await ownAppId(octokit).catch(() => null);
  const listings = new Map<string, CheckRunData[]>();
  const found: Array<CheckRunData | null> = [];
  for (const p of params) {
    const key = `${p.owner}/${p.repo}@${p.head_sha}`;
    let runs = listings.get(key);
    if (!runs) {
      const { data } = await octokit.rest.checks.listForRef({
        owner: p.owner,
        repo: p.repo,
        ref: p.head_sha,
        filter: "all",
        per_page: 100,
        ...(appId !== null ? { app_id: appId } : {}),
        request: ONCE,
      });
      runs = data.check_runs;
      listings.set(key, runs);
    }
    const marker = lastMarker(p.output?.summary);
    found.push(
      runs.find(
        (r) =>
          r.name === p.name &&
          r.head_sha === p.head_sha &&
          (appId === null || r.app?.id === appId) &&
          marker !== null &&
          lastMarker(r.output.summary) === marker,
      ) ?? null,
    );
  }
  return found;
}
