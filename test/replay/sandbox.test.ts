/**
 * SQL from a pull request reaches nothing outside the engine: no host files, no programs, no
 * network, no code loaded from files the SQL wrote. One PGlite instance for the whole file.
 */
import { afterAll, beforeAll, describe, expect, jest, test } from "@jest/globals";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PgliteEngine } from "../../src/replay/engines/pglite.js";
import type { FileRun } from "../../src/replay/types.js";
import { pgliteTemplate } from "./support.js";

jest.setTimeout(120_000);

let engine: PgliteEngine;
const host = mkdtempSync(join(tmpdir(), "mw-escape-"));
const secret = join(host, "secret.txt");
writeFileSync(secret, "host secret\n");

beforeAll(async () => {
  engine = await PgliteEngine.create({
    extensions: ["pgcrypto", "hstore"],
    progress: () => undefined,
    // A fresh database without running initdb again (seconds in WASM).
    snapshot: await pgliteTemplate(),
  });
});
afterAll(async () => {
  await engine?.close();
  rmSync(host, { recursive: true, force: true });
});

let n = 0;
function sql(text: string): Promise<FileRun> {
  n++;
  return engine.runFile(
    { path: `migrations/${n}_x.up.sql`, version: String(n), text },
    { phase: "up", observeLocks: true, multiStatement: false },
  );
}

/**
 * Migrations run as the database's owner (pglite-owner.ts), who is refused all of what follows
 * before it reaches the layers below: those are tested as a superuser meets them (defence in
 * depth: a trusted extension's install script runs as one), with the owner role switched off.
 */
async function asSuperuser<T>(fn: () => Promise<T>): Promise<T> {
  const e = engine as unknown as { owner: { run<R>(f: () => Promise<R>): Promise<R> } };
  const owner = e.owner;
  e.owner = { run: (f) => f() };
  try {
    return await fn();
  } finally {
    e.owner = owner;
  }
}

test("as a migration (the database's owner), programs, server files and modules are refused", async () => {
  for (const text of [
    "COPY (SELECT 1) TO PROGRAM 'true';\n",
    `SELECT pg_read_file('${secret}');\n`,
    `SELECT lo_import('${secret}');\n`,
    "SELECT lo_export(1, '/tmp/x.so');\n",
    "LOAD '/tmp/x.so';\n",
    "CREATE FUNCTION evil() RETURNS int LANGUAGE c AS '/tmp/x.so', 'f';\n",
  ]) {
    const r = await sql(text);
    expect([text, r.ok, r.error?.code]).toEqual([text, false, "42501"]);
  }
});

describe("programs", () => {
  test("COPY … TO PROGRAM and FROM PROGRAM run nothing", () =>
    asSuperuser(async () => {
      const marker = join(host, "pwned");
      const to = await sql(`COPY (SELECT 1) TO PROGRAM 'touch ${marker}';\n`);
      expect(to.ok).toBe(false);
      expect(to.error!.message).toContain("could not execute command");
      const from = await sql("CREATE TABLE out (line text);\nCOPY out FROM PROGRAM 'id';\n");
      expect(from.ok).toBe(false);
      expect(from.error!.line).toBe(2);
      expect(existsSync(marker)).toBe(false);
      // The engine is still usable afterwards.
      expect((await sql("SELECT 1;\n")).ok).toBe(true);
    }));
});

describe("files", () => {
  test("COPY … TO a path writes into the virtual filesystem only", async () => {
    const target = join(tmpdir(), `mw-escape-${process.pid}-${Date.now()}.txt`);
    await sql(`COPY (SELECT 'x') TO '${target}';\n`);
    expect(existsSync(target)).toBe(false);
  });

  test("pg_read_file, lo_import and COPY FROM see no host file", () =>
    asSuperuser(async () => {
      for (const text of [
        `SELECT pg_read_file('${secret}');\n`,
        `SELECT lo_import('${secret}');\n`,
        `CREATE TABLE s (t text);\nCOPY s FROM '${secret}';\n`,
      ]) {
        const r = await sql(text);
        expect(r.ok).toBe(false);
        expect(r.error!.message).toMatch(/No such file or directory/);
      }
      expect(readFileSync(secret, "utf8")).toBe("host secret\n");
    }));
});

describe("loading code", () => {
  const LIB = "/pglite/lib/postgresql";

  test("PGlite's own libraries still load (plpgsql, an extension)", async () => {
    // armor() runs pgcrypto's own code without OpenSSL: digest() once failed on a CI machine
    // inside WASM's OpenSSL ("Cipher cannot be initialized"), which is not what this tests.
    const r = await sql(
      "CREATE EXTENSION pgcrypto;\nDO $$ BEGIN PERFORM armor('a'::bytea); END $$;\n",
    );
    expect(r.error ?? null).toBeNull();
    expect(r.ok).toBe(true);
  });

  test("a module written by SQL (lo_export) is refused, even a copy of a real one", () =>
    asSuperuser(async () => {
      const copy = "/tmp/copy.so";
      const write = await sql(
        `SELECT lo_from_bytea(4242, pg_read_binary_file('${LIB}/plpgsql.so'));\nSELECT lo_export(4242, '${copy}');\n`,
      );
      expect(write.ok).toBe(true);
      // Unguarded, both would load the copy (a real module with its magic block) and succeed. The
      // guard refuses the open; Emscripten then remembers the name as loaded without any code, so a
      // retry finds no magic block: either way nothing from the file is instantiated.
      for (const text of [
        `LOAD '${copy}';\n`,
        `CREATE FUNCTION evil() RETURNS int LANGUAGE c AS '${copy}', 'plpgsql_call_handler';\n`,
      ]) {
        const r = await sql(text);
        expect(r.ok).toBe(false);
        expect(r.error!.message).toMatch(/could not load dynamic lib|missing magic block/);
      }
    }));

  test("a library of PGlite overwritten by SQL is never what gets loaded", () =>
    asSuperuser(async () => {
      const r = await sql(
        `SELECT lo_from_bytea(4343, pg_read_binary_file('${LIB}/plpgsql.so'));\nSELECT lo_export(4343, '${LIB}/hstore.so');\n`,
      );
      expect(r.ok).toBe(true);
      // Either PGlite's own hstore is used (when it was loaded before the overwrite) or the guard
      // refuses the file (missing magic block): which one depends on when PGlite first loads the
      // library. Never may the overwritten file's code run: that would fail with "could not find
      // function hstore_in" (plpgsql's code has no hstore_in).
      const load = await sql("CREATE EXTENSION hstore;\nSELECT 'a=>1'::hstore -> 'a';\n");
      if (!load.ok) {
        expect(load.error!.message).toMatch(/missing magic block|could not load dynamic lib/);
      }
      expect(load.error?.message ?? "").not.toMatch(/could not find function/);
    }));
});

describe("network", () => {
  let server: Server;
  let connections = 0;
  beforeAll(async () => {
    server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("no connection leaves the engine (subscriptions, dblink, postgres_fdw)", async () => {
    const port = (server.address() as { port: number }).port;
    const conn = `host=127.0.0.1 port=${port} dbname=x user=x`;
    for (const text of [
      `CREATE SUBSCRIPTION s CONNECTION '${conn}' PUBLICATION p;\n`,
      "CREATE EXTENSION dblink;\n",
      "CREATE EXTENSION postgres_fdw;\n",
    ]) {
      expect((await sql(text)).ok).toBe(false);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(connections).toBe(0);
  });
});
