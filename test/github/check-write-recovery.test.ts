/**
 * recoverLostWrites on its own, over a scripted transport: what it asks GitHub before sending a
 * check-run write again, and what it sends. The whole app under lost answers: faults.test.ts.
 */
import { describe, expect, test } from "@jest/globals";
import { recoverLostWrites, runMarker } from "../../src/github/check-write-recovery.js";

const API = "https://api.github.com/repos/o/r";
const SHA = "a".repeat(40);

interface Sent {
  method: string;
  url: string;
}

/**
 * A transport whose answers come from `answer`; it records every request. An answer of "lost"
 * means GitHub carried the request out but the connection dropped before the answer.
 */
function transport(answer: (req: Sent, body: unknown) => Response | "lost") {
  const sent: Sent[] = [];
  const fetch = recoverLostWrites(async (url, init = {}) => {
    const req = { method: init.method ?? "GET", url: String(url) };
    sent.push(req);
    const a = answer(req, typeof init.body === "string" ? JSON.parse(init.body) : undefined);
    if (a === "lost") throw new TypeError("fetch failed");
    return a;
  });
  return { fetch, sent };
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

function createBody(marker = runMarker()) {
  return {
    name: "migration-warden/lint",
    head_sha: SHA,
    status: "in_progress",
    output: { title: "Checking migrations…", summary: `Reading.\n\n${marker}` },
  };
}

const post = (body: unknown) => ({ method: "POST", body: JSON.stringify(body) });
const patch = (body: unknown) => ({ method: "PATCH", body: JSON.stringify(body) });
const annotations = (n: number) =>
  Array.from({ length: n }, (_, i) => ({ path: "m/1_a.up.sql", start_line: i + 1 }));

describe("a check-run create", () => {
  test("answered 502 after GitHub created the run: the retry finds it and creates none", async () => {
    const body = createBody();
    const run = { id: 7, output: { summary: body.output.summary, annotations_count: 0 } };
    let created = 0;
    const { fetch, sent } = transport((req) => {
      if (req.method === "POST")
        return created++ === 0 ? json(502, { message: "Bad Gateway" }) : json(201, run);
      return json(200, {
        total_count: 2,
        check_runs: [{ id: 8, output: { summary: "other" } }, run],
      });
    });
    expect((await fetch(`${API}/check-runs`, post(body))).status).toBe(502);
    const retried = await fetch(`${API}/check-runs`, post(body));
    expect([retried.status, await retried.json()]).toEqual([201, run]);
    expect(sent).toEqual([
      { method: "POST", url: `${API}/check-runs` },
      {
        method: "GET",
        url: `${API}/commits/${SHA}/check-runs?check_name=migration-warden%2Flint&filter=all&per_page=100`,
      },
    ]);
  });

  test("lost before GitHub created it: the retry sends it again", async () => {
    const body = createBody();
    let posts = 0;
    const { fetch, sent } = transport((req) => {
      if (req.method === "POST") return posts++ === 0 ? "lost" : json(201, { id: 9 });
      return json(200, { total_count: 0, check_runs: [] });
    });
    await expect(fetch(`${API}/check-runs`, post(body))).rejects.toThrow("fetch failed");
    expect((await fetch(`${API}/check-runs`, post(body))).status).toBe(201);
    expect(sent.map((s) => s.method)).toEqual(["POST", "GET", "POST"]);
  });

  test("when GitHub cannot say, the attempt fails (and is retried) without sending it", async () => {
    const body = createBody();
    const { fetch, sent } = transport((req) =>
      req.method === "POST" ? "lost" : json(500, { message: "oops" }),
    );
    await expect(fetch(`${API}/check-runs`, post(body))).rejects.toThrow("fetch failed");
    await expect(fetch(`${API}/check-runs`, post(body))).rejects.toThrow(
      /check-runs\?check_name=.* answered HTTP 500/,
    );
    expect(sent.map((s) => s.method)).toEqual(["POST", "GET"]);
  });

  test("a create without the marker is sent again as it is", async () => {
    const body = { ...createBody(), output: { title: "t", summary: "no marker" } };
    const { fetch, sent } = transport(() => "lost");
    await expect(fetch(`${API}/check-runs`, post(body))).rejects.toThrow();
    await expect(fetch(`${API}/check-runs`, post(body))).rejects.toThrow();
    expect(sent.map((s) => s.method)).toEqual(["POST", "POST"]);
  });
});

describe("an annotation batch", () => {
  /** A run created with 0 annotations, then a batch of 50 whose first answer is lost. */
  async function lostBatch(countAfter: number) {
    let patches = 0;
    const { fetch, sent } = transport((req) => {
      if (req.method === "POST") return json(201, { id: 5, output: { annotations_count: 0 } });
      if (req.method === "PATCH")
        return patches++ === 0 ? "lost" : json(200, { id: 5, output: { annotations_count: 50 } });
      return json(200, { id: 5, output: { annotations_count: countAfter } });
    });
    await fetch(`${API}/check-runs`, post(createBody()));
    const batch = patch({ output: { title: "t", summary: "s", annotations: annotations(50) } });
    await expect(fetch(`${API}/check-runs/5`, batch)).rejects.toThrow();
    const retried = await fetch(`${API}/check-runs/5`, batch);
    return { sent: sent.map((s) => `${s.method} ${s.url.slice(API.length)}`), retried };
  }

  test("that arrived is not sent again", async () => {
    const { sent, retried } = await lostBatch(50);
    expect(sent).toEqual(["POST /check-runs", "PATCH /check-runs/5", "GET /check-runs/5"]);
    expect(retried.status).toBe(200);
  });

  test("that did not arrive is sent again", async () => {
    const { sent } = await lostBatch(0);
    expect(sent).toEqual([
      "POST /check-runs",
      "PATCH /check-runs/5",
      "GET /check-runs/5",
      "PATCH /check-runs/5",
    ]);
  });

  test("an update without annotations is sent again without asking", async () => {
    let patches = 0;
    const { fetch, sent } = transport((req) =>
      req.method === "PATCH" && patches++ === 0 ? "lost" : json(200, { id: 5 }),
    );
    const done = patch({ status: "completed", conclusion: "success" });
    await expect(fetch(`${API}/check-runs/5`, done)).rejects.toThrow();
    await fetch(`${API}/check-runs/5`, done);
    expect(sent.map((s) => s.method)).toEqual(["PATCH", "PATCH"]);
  });
});

test("other requests pass through untouched", async () => {
  const { fetch, sent } = transport(() => "lost");
  await expect(fetch(`${API}/pulls/1`)).rejects.toThrow();
  await expect(fetch(`${API}/pulls/1`)).rejects.toThrow();
  expect(sent).toHaveLength(2);
});
