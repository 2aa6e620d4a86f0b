/**
 * The Postgres fingerprint's catalog reads in one round trip (CatalogQuery.batch): the same
 * fingerprint as one query at a time, and as before batching (fixtures/fingerprint-every-kind.json,
 * taken by the old reader on PGlite; the extensions' `members` since the fingerprint lists them;
 * privileges, physical settings and replication objects since it reads them, checked to add
 * objects and attributes only);
 * `search_path` set to pg_catalog for the reads alone, also
 * inside a transaction block and when the batch fails; answers that do not line up refused. On a
 * PostgreSQL server (MW_TEST_POSTGRES_URL): the same over node-postgres, and drift's bounds on a
 * batch (its read-only transaction, each statement's own timeout); servers before 13, which timed
 * a Query message as a whole, get no batch.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { readFileSync } from "node:fs";
import pg from "pg";
import type { PGlite } from "@electric-sql/pglite";
import { PgliteEngine } from "../../src/replay/engines/pglite.js";
import { openLive } from "../../src/replay/drift/live.js";
import { parseDriftUrl } from "../../src/replay/drift/url.js";
import { PgConnection, postgresFamily } from "../../src/replay/external/postgres.js";
import { parseDatabaseUrl } from "../../src/replay/external/url.js";
import {
  catalogQuery,
  type CatalogBatch,
  type CatalogQuery,
} from "../../src/replay/fingerprint/catalog.js";
import { postgresFingerprint } from "../../src/replay/fingerprint/postgres.js";
import type { Schema } from "../../src/replay/schema.js";
import { pgliteTemplate } from "./support.js";

jest.setTimeout(120_000);

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const EVERY_KIND = fixture("fingerprint-every-kind.sql");
const EXPECTED = JSON.parse(fixture("fingerprint-every-kind.json")) as Schema;

/** The kinds the Postgres fingerprint reads: the fixture must exercise each. */
const KINDS = [
  "schema",
  "extension",
  "table",
  "view",
  "materialized-view",
  "foreign-table",
  "column",
  "index",
  "constraint",
  "enum",
  "domain",
  "type",
  "function",
  "trigger",
  "rule",
  "sequence",
  "policy",
  "privilege",
  "statistics",
  "publication",
  "event-trigger",
];

/** The query and batch calls a fingerprint makes. */
function counted(q: CatalogQuery, batch: CatalogBatch | undefined = q.batch) {
  const calls = { queries: 0, batches: 0 };
  const query = catalogQuery(
    (sql, params) => {
      calls.queries++;
      return q(sql, params);
    },
    batch &&
      ((statements) => {
        calls.batches++;
        return batch(statements);
      }),
  );
  return { query, calls };
}

/** The same connection without its batch: the one-query-at-a-time reader. */
const oneByOne = (q: CatalogQuery) => catalogQuery((sql, params) => q(sql, params));

const sorted = (s: Schema) =>
  Object.fromEntries(Object.entries(s).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

describe("PGlite", () => {
  let engine: PgliteEngine;
  let db: PGlite;
  const searchPath = async () =>
    (await db.query<{ p: string }>("SELECT current_setting('search_path') AS p")).rows[0]!.p;

  beforeAll(async () => {
    engine = await PgliteEngine.create({
      extensions: ["hstore"],
      progress: () => undefined,
      snapshot: await pgliteTemplate(),
    });
    db = (engine as unknown as { db: PGlite }).db;
    await db.exec(EVERY_KIND);
  });
  afterAll(async () => {
    await engine?.close();
  });

  test("every kind of object: one round trip, the same fingerprint as one query at a time and as before", async () => {
    const kinds = new Set(Object.values(EXPECTED).map((o) => o.kind));
    expect([...kinds].sort()).toEqual([...KINDS].sort());
    // Not vacuous: the shadowing format_type() in the search path answers nothing.
    expect(Object.values(EXPECTED)).toContainEqual(
      expect.objectContaining({
        kind: "column",
        name: "public.plain.note",
        attrs: expect.objectContaining({ type: "character varying(40)" }),
      }),
    );

    const { query, calls } = counted(engine.catalogQuery());
    const batched = await postgresFingerprint(query);
    expect(calls).toEqual({ queries: 0, batches: 1 });
    expect(sorted(batched)).toEqual(EXPECTED);
    expect(await postgresFingerprint(oneByOne(engine.catalogQuery()))).toEqual(batched);
    // The batch's own implicit transaction ended the setting.
    expect(await searchPath()).toBe("app, pg_catalog, public");
    expect(db.isInTransaction()).toBe(false);
  });

  test("inside a transaction block the setting is put back for the transaction, and ends with it", async () => {
    await db.exec("BEGIN; SET LOCAL search_path = app, public");
    const { query, calls } = counted(engine.catalogQuery());
    expect(sorted(await postgresFingerprint(query))).toEqual(EXPECTED);
    expect(calls).toEqual({ queries: 1, batches: 1 });
    expect(await searchPath()).toBe("app, public");
    await db.exec("COMMIT");
    expect(await searchPath()).toBe("app, pg_catalog, public");

    // A session-level change inside the block outlives it, as it would without the fingerprint.
    await db.exec("BEGIN; SET search_path = public");
    expect(sorted(await postgresFingerprint(engine.catalogQuery()))).toEqual(EXPECTED);
    await db.exec("COMMIT");
    expect(await searchPath()).toBe("public");
    await db.exec("BEGIN; SET search_path = app");
    await postgresFingerprint(engine.catalogQuery());
    await db.exec("ROLLBACK");
    expect(await searchPath()).toBe("public");
    await db.exec("SET search_path = app, pg_catalog, public");

    // Already pg_catalog (drift's transaction): nothing to put back.
    await db.exec("BEGIN; SET LOCAL search_path = pg_catalog");
    const again = counted(engine.catalogQuery());
    expect(sorted(await postgresFingerprint(again.query))).toEqual(EXPECTED);
    expect(again.calls).toEqual({ queries: 0, batches: 1 });
    expect(await searchPath()).toBe("pg_catalog");
    await db.exec("ROLLBACK");
    expect(await searchPath()).toBe("app, pg_catalog, public");
  });

  test("a batch that fails leaves no setting behind, in or out of a transaction block", async () => {
    const q = engine.catalogQuery();
    // A statement that fails after the setting and some reads.
    const failing: CatalogBatch = (statements) =>
      q.batch!([...statements.slice(0, 4), "SELECT 1/0", ...statements.slice(4)]);
    await expect(postgresFingerprint(catalogQuery(q, failing))).rejects.toThrow(/division by zero/);
    expect(db.isInTransaction()).toBe(false);
    expect(await searchPath()).toBe("app, pg_catalog, public");

    await db.exec("BEGIN");
    await expect(postgresFingerprint(catalogQuery(q, failing))).rejects.toThrow(/division by zero/);
    await db.exec("ROLLBACK");
    expect(await searchPath()).toBe("app, pg_catalog, public");
  });

  test("answers that do not line up with the statements are refused, never read out of place", async () => {
    const q = engine.catalogQuery();
    const short: CatalogBatch = async (statements) => {
      const r = await q.batch!(statements);
      return { ...r, results: r.results.slice(1) };
    };
    await expect(postgresFingerprint(catalogQuery(q, short))).rejects.toThrow(
      /batch of 21 statements returned 20 results/,
    );
    // One more statement than the reader sent: PGlite's own answers are checked the same way.
    const extra: CatalogBatch = (statements) => q.batch!([...statements, "SELECT 1"]);
    await expect(postgresFingerprint(catalogQuery(q, extra))).rejects.toThrow(/returned 22/);
    expect(await searchPath()).toBe("app, pg_catalog, public");
  });

  test("statements are separated by line ends: a trailing line comment cannot join two", async () => {
    const r = await engine.catalogQuery().batch!(["SELECT 1 AS a -- note", "SELECT 2 AS b"]);
    expect(r.results).toEqual([
      { columns: ["a"], rows: [[1]] },
      { columns: ["b"], rows: [[2]] },
    ]);
    expect(r.inTransaction).toBe(false);
  });
});

describe("servers before PostgreSQL 13 time a Query message as a whole: no batch", () => {
  test.each([
    ["9.6.24", false],
    ["12.22 (Debian 12.22-1.pgdg120+1)", false],
    ["13.0", true],
    ["17.6 (Debian 17.6-1)", true],
    ["18beta1", true],
  ])("server_version %s → batch %s", (version, offered) => {
    const conn = new PgConnection(new pg.Client());
    conn.batchesOn(version);
    expect(conn.catalogBatch !== undefined).toBe(offered);
  });
});

const PG_URL = process.env.MW_TEST_POSTGRES_URL;
if (!PG_URL)
  console.warn(
    "SKIPPED: MW_TEST_POSTGRES_URL is not set: the batch is not tested over node-postgres.",
  );
const onServer = PG_URL ? describe : describe.skip;

onServer("a PostgreSQL server", () => {
  const url = PG_URL!;
  // Everything this file creates stays inside a transaction it rolls back: the database is shared
  // with the replay tests, which wipe it and take inventory of it.
  const schema = `fp_batch_${process.pid}`;
  let work: PgConnection;
  let major = 0;

  beforeAll(async () => {
    const u = parseDatabaseUrl(url);
    work = postgresFamily.connection(
      { ...u, tls: "disable" },
      { role: "work", connectTimeoutMs: 10_000, statementTimeoutMs: 30_000 },
    );
    await work.connect();
    const { server } = await postgresFamily.startWork(work, {
      connectTimeoutMs: 10_000,
      statementTimeoutMs: 30_000,
      lockWaitMs: 0,
    });
    major = Number.parseInt(server.replace(/^PostgreSQL /, ""), 10);
  });
  afterAll(async () => {
    await work?.close();
  });

  const query = () => catalogQuery((sql, params) => work.query(sql, params), work.catalogBatch);
  const ownObjects = (s: Schema) =>
    Object.fromEntries(Object.entries(s).filter(([, o]) => o.name.startsWith(`${schema}.`)));

  test("node-postgres: one round trip inside a transaction block, the same objects as one at a time", async () => {
    if (major < 13) return expect(work.catalogBatch).toBeUndefined();
    await work.query("BEGIN");
    try {
      await work.query(
        `CREATE SCHEMA ${schema};
         CREATE TYPE ${schema}.mood AS ENUM ('sad', 'ok');
         CREATE TABLE ${schema}.t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           note varchar(40) NOT NULL DEFAULT 'x', mood ${schema}.mood, n numeric(8,2) CHECK (n > 0));
         CREATE INDEX t_note ON ${schema}.t (lower(note));
         CREATE VIEW ${schema}.v AS SELECT id, note FROM ${schema}.t;
         CREATE FUNCTION ${schema}.format_type(oid, integer) RETURNS text LANGUAGE sql AS $$ SELECT 'text' $$;
         SET LOCAL search_path = ${schema}, pg_catalog, public`,
      );
      const { query: q, calls } = counted(query());
      const batched = ownObjects(await postgresFingerprint(q));
      expect(calls).toEqual({ queries: 1, batches: 1 });
      expect(Object.values(batched)).toContainEqual(
        expect.objectContaining({
          name: `${schema}.t.note`,
          attrs: expect.objectContaining({ type: "character varying(40)" }),
        }),
      );
      expect(Object.keys(batched).length).toBeGreaterThanOrEqual(9);
      expect(ownObjects(await postgresFingerprint(oneByOne(query())))).toEqual(batched);
      const [[path]] = (await work.query("SELECT current_setting('search_path')")).rows as [
        [string],
      ];
      expect(path).toBe(`${schema}, pg_catalog, public`);
    } finally {
      await work.query("ROLLBACK");
    }
  });

  test("node-postgres: outside a transaction block, one round trip and the setting untouched", async () => {
    if (major < 13) return;
    const before = (await work.query("SELECT current_setting('search_path')")).rows[0]![0];
    const { query: q, calls } = counted(query());
    await postgresFingerprint(q);
    expect(calls).toEqual({ queries: 0, batches: 1 });
    expect((await work.query("SELECT current_setting('search_path')")).rows[0]![0]).toBe(before);
  });

  describe("drift's read-only inspection", () => {
    const driftUrl = parseDriftUrl(`${url}${url.includes("?") ? "&" : "?"}sslmode=disable`);
    const open = (statementTimeoutMs: number) =>
      openLive(
        driftUrl,
        { connectTimeoutMs: 10_000, statementTimeoutMs, lockTimeoutMs: 2_000 },
        ".",
      );

    test("the fingerprint is one batch inside the read-only transaction", async () => {
      const live = await open(30_000);
      try {
        if (major < 13) return expect(live.query.batch).toBeUndefined();
        const { query: q, calls } = counted(live.query);
        await postgresFingerprint(q);
        // search_path is already pg_catalog there: nothing to put back.
        expect(calls).toEqual({ queries: 0, batches: 1 });
        expect(
          (await live.query("SELECT pg_catalog.current_setting('transaction_read_only')")).rows,
        ).toEqual([["on"]]);
        await expect(
          live.query.batch!(["SELECT 1", `CREATE TABLE ${schema}_written (a int)`]),
        ).rejects.toThrow(/a catalog query failed on .*read-only transaction/);
      } finally {
        await live.close();
      }
    });

    test("each statement of a batch has drift's statement timeout to itself", async () => {
      if (major < 13) return;
      const live = await open(1_000);
      try {
        // Together over the limit, each under it.
        const r = await live.query.batch!(["SELECT pg_sleep(0.6)", "SELECT pg_sleep(0.6)"]);
        expect(r.results).toHaveLength(2);
        await expect(live.query.batch!(["SELECT 1", "SELECT pg_sleep(3)"])).rejects.toThrow(
          /a catalog query failed on .*statement timeout/,
        );
      } finally {
        await live.close();
      }
    });
  });
});
