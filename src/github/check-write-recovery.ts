/**
 * Check-run writes whose answer was lost must not be applied twice. GitHub has no idempotency
 * keys: when a create's answer never arrives (no answer in time, a dropped connection, a 5xx from
 * a proxy after GitHub applied it, a cut-off body), the retry creates a second run and the first
 * stays `in_progress` for good; an annotation batch sent again shows twice.
 *
 * This sits below the retry plugin, so it sees every attempt. Before sending such a write again
 * it asks GitHub whether the lost attempt took effect, and if so answers with what GitHub has:
 * - a create carries a random marker in its summary (an HTML comment, invisible, replaced when the
 *   run completes): a run of that name on the commit with the marker is the one created;
 * - an update with annotations took effect when the run's `annotations_count` grew by the batch.
 */
import { randomUUID } from "node:crypto";

export type FetchLike = (url: string | URL | Request, init?: RequestInit) => Promise<Response>;

const MARKER = /<!-- migration-warden run ([0-9a-f-]{36}) -->/;

/** The marker a check-run create's summary carries (see recoverLostWrites). */
export function runMarker(): string {
  return `<!-- migration-warden run ${randomUUID()} -->`;
}

interface CheckRunJson {
  id: number;
  output?: { summary?: string | null; annotations_count?: number };
}

interface Write {
  /** Identifies the write across attempts. */
  key: string;
  /** Whether the lost attempt took effect: the answer to give instead of sending again, or null. */
  applied(ask: (href: string) => Promise<unknown>): Promise<CheckRunJson | null>;
}

export function recoverLostWrites(inner: FetchLike): FetchLike {
  /** Writes whose last attempt ended without a certain outcome. */
  const uncertain = new Set<string>();
  /** Annotations GitHub last reported per run id. */
  const annotations = new Map<number, number>();

  return async (url, init = {}) => {
    const href = url instanceof Request ? url.url : String(url);
    const write = describeWrite(href, init, annotations);
    if (!write) return inner(url, init);
    if (uncertain.has(write.key)) {
      const ask = async (at: string): Promise<unknown> => {
        const res = await inner(at, { method: "GET", headers: init.headers ?? {} });
        // Thrown, this attempt fails and the retry plugin sends it again (asking again first).
        if (!res.ok) throw new Error(`GET ${at} answered HTTP ${res.status}`);
        return res.json();
      };
      const run = await write.applied(ask);
      if (run) {
        uncertain.delete(write.key);
        remember(annotations, run);
        const created = (init.method ?? "GET").toUpperCase() === "POST";
        return new Response(JSON.stringify(run), {
          status: created ? 201 : 200,
          headers: { "content-type": "application/json; charset=utf-8" },
        });
      }
    }
    let res: Response;
    try {
      res = await inner(url, init);
    } catch (err) {
      uncertain.add(write.key);
      throw err;
    }
    if (res.status >= 500) {
      uncertain.add(write.key);
      return res;
    }
    uncertain.delete(write.key);
    if (res.ok) {
      try {
        remember(annotations, (await res.clone().json()) as CheckRunJson);
      } catch {
        // Not a run: nothing to remember (policyFetch reports malformed JSON itself).
      }
    }
    return res;
  };
}

function remember(annotations: Map<number, number>, run: CheckRunJson): void {
  const count = run.output?.annotations_count;
  if (typeof run.id === "number" && typeof count === "number") annotations.set(run.id, count);
}

/** The check-run writes that would do harm twice; null for any other request. */
function describeWrite(
  href: string,
  init: RequestInit,
  annotations: Map<number, number>,
): Write | null {
  const method = (init.method ?? "GET").toUpperCase();
  if ((method !== "POST" && method !== "PATCH") || typeof init.body !== "string") return null;
  const u = new URL(href);
  const create = /^(.*\/repos\/[^/]+\/[^/]+)\/check-runs$/.exec(u.pathname);
  const update = /\/check-runs\/(\d+)$/.exec(u.pathname);
  if (!(method === "POST" && create) && !(method === "PATCH" && update)) return null;
  let body: {
    name?: unknown;
    head_sha?: unknown;
    output?: { summary?: unknown; annotations?: unknown };
  };
  try {
    body = JSON.parse(init.body) as typeof body;
  } catch {
    return null;
  }

  if (create) {
    const marker = typeof body.output?.summary === "string" && MARKER.exec(body.output.summary);
    if (!marker || typeof body.name !== "string" || typeof body.head_sha !== "string") return null;
    const list = new URL(`${create[1]}/commits/${body.head_sha}/check-runs`, u);
    // Newest first: a run created moments ago is on the first page.
    list.search = new URLSearchParams({
      check_name: body.name,
      filter: "all",
      per_page: "100",
    }).toString();
    return {
      key: marker[0],
      applied: async (ask) => {
        const listed = (await ask(list.href)) as { check_runs?: CheckRunJson[] };
        return listed.check_runs?.find((r) => r.output?.summary?.includes(marker[0])) ?? null;
      },
    };
  }

  const batch = Array.isArray(body.output?.annotations) ? body.output.annotations.length : 0;
  const id = Number(update![1]);
  const before = annotations.get(id);
  // Without annotations an update is the same however often it is applied.
  if (batch === 0 || before === undefined) return null;
  return {
    key: `${id}:${before}`,
    applied: async (ask) => {
      const run = (await ask(u.href)) as CheckRunJson;
      return run.output?.annotations_count === before + batch ? run : null;
    },
  };
}
