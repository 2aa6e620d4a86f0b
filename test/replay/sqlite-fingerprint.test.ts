/**
 * The SQLite fingerprint compares schemas structurally (issue 14): how DDL is written is not a
 * difference; what it declares is.
 */
import { describe, expect, test } from "@jest/globals";
import { loadSqlJs } from "../../src/replay/engines/sqljs.js";
import { sqliteFingerprint } from "../../src/replay/fingerprint/sqlite.js";
import { diffSchemas, type AttrValue } from "../../src/replay/schema.js";

async function schema(ddl: string) {
  const SQL = await loadSqlJs();
  const db = new SQL.Database();
  db.exec(ddl);
  const s = await sqliteFingerprint(async (sql, params = []) => {
    const [r] = db.exec(sql, params as (string | number | null)[]);
    return { columns: r?.columns ?? [], rows: (r?.values ?? []) as AttrValue[][] };
  });
  db.close();
  return s;
}

const diff = async (a: string, b: string) => diffSchemas(await schema(a), await schema(b));
const P = "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);";

describe("SQLite schemas compared structurally", () => {
  test.each([
    [
      "identifier quoting",
      `${P} CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, n INTEGER DEFAULT 0 CHECK (n >= 0)); CREATE INDEX orders_user ON orders (user_id) WHERE n > 0;`,
      `${P} CREATE TABLE "orders" ("id" INTEGER PRIMARY KEY, [user_id] INTEGER NOT NULL REFERENCES \`users\` ("id") ON DELETE CASCADE, "n" INTEGER DEFAULT 0 CHECK ("n" >= 0)); CREATE INDEX "orders_user" ON "orders" ("user_id") WHERE "n" > 0;`,
    ],
    [
      "keyword case",
      `${P} CREATE TABLE t (a varchar(10) not null default current_timestamp, b integer unique);`,
      `${P} create table t (a VARCHAR(10) NOT NULL DEFAULT CURRENT_TIMESTAMP, b INTEGER UNIQUE);`,
    ],
    [
      "constraint placement (inline or table-level) and layout",
      `${P} CREATE TABLE t (id INTEGER PRIMARY KEY, u INTEGER REFERENCES users (id) ON DELETE SET NULL, c TEXT UNIQUE, n INTEGER CHECK (n > 0));`,
      `${P} CREATE TABLE t (\n  id INTEGER,\n  u INTEGER,\n  c TEXT,\n  n INTEGER,\n  PRIMARY KEY (id),\n  UNIQUE (c),\n  CHECK (n > 0),\n  FOREIGN KEY (u) REFERENCES users (id) ON DELETE SET NULL\n);`,
    ],
    [
      "REFERENCES t and REFERENCES t(pk)",
      `${P} CREATE TABLE t (u INTEGER REFERENCES users);`,
      `${P} CREATE TABLE t (u INTEGER REFERENCES users (id));`,
    ],
    [
      "a default in parentheses",
      `${P} CREATE TABLE t (n INTEGER DEFAULT (0), s TEXT DEFAULT ('x'));`,
      `${P} CREATE TABLE t (n INTEGER DEFAULT 0, s TEXT DEFAULT 'x');`,
    ],
  ])("%s: equal", async (_name, a, b) => {
    expect(await diff(a, b)).toEqual([]);
  });

  test("a dropped foreign key action is a difference", async () => {
    const d = await diff(
      `${P} CREATE TABLE t (u INTEGER REFERENCES users (id) ON DELETE CASCADE);`,
      `${P} CREATE TABLE t (u INTEGER REFERENCES users (id));`,
    );
    expect(d).toHaveLength(1);
    expect(d[0]).toMatchObject({ kind: "constraint", change: "changed", table: "t" });
    expect(JSON.stringify(d[0]!.changes)).toContain("ON DELETE CASCADE");
  });

  test("a changed default, a lost NOT NULL, a lost CHECK, a lost UNIQUE are differences", async () => {
    const d = await diff(
      `${P} CREATE TABLE t (n INTEGER NOT NULL DEFAULT 0 CHECK (n >= 0), c TEXT UNIQUE);`,
      `${P} CREATE TABLE t (n INTEGER DEFAULT 1, c TEXT);`,
    );
    const what = d.map(
      (c) => `${c.kind} ${c.name} ${c.change} ${(c.changes ?? []).map((x) => x.attr).join(",")}`,
    );
    expect(what).toEqual(
      expect.arrayContaining([
        "table t changed checks",
        "column t.n changed notNull,default",
        "constraint t.unique(c) removed ",
      ]),
    );
  });

  test("index column order, direction, collation and a partial condition are differences", async () => {
    const base = `${P} CREATE TABLE t (a TEXT, b TEXT);`;
    expect(
      await diff(`${base} CREATE INDEX i ON t (a, b);`, `${base} CREATE INDEX i ON t (b, a);`),
    ).toHaveLength(1);
    expect(
      await diff(`${base} CREATE INDEX i ON t (a);`, `${base} CREATE INDEX i ON t (a DESC);`),
    ).toHaveLength(1);
    expect(
      await diff(
        `${base} CREATE INDEX i ON t (a);`,
        `${base} CREATE INDEX i ON t (a COLLATE NOCASE);`,
      ),
    ).toHaveLength(1);
    expect(
      await diff(
        `${base} CREATE INDEX i ON t (a) WHERE b IS NULL;`,
        `${base} CREATE INDEX i ON t (a) WHERE b IS NOT NULL;`,
      ),
    ).toHaveLength(1);
    expect(
      await diff(
        `${base} CREATE INDEX i ON t (lower(a));`,
        `${base} CREATE INDEX i ON t (upper(a));`,
      ),
    ).toHaveLength(1);
  });
});
