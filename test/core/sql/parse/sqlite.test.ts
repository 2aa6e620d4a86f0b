import { models, parse } from "../../../helpers/source.js";

describe("SQLite parser (token reader + node-sql-parser sqlite mode)", () => {
  test("the four ALTER TABLE forms", async () => {
    const ms = await models(
      [
        'ALTER TABLE "t" RENAME TO "u"',
        "ALTER TABLE t RENAME COLUMN a TO b",
        "ALTER TABLE t RENAME a TO b",
        "ALTER TABLE t ADD COLUMN c TEXT NOT NULL DEFAULT 'x' REFERENCES o (id)",
        "ALTER TABLE t ADD d INTEGER",
        "ALTER TABLE [t] DROP COLUMN `e`",
      ].join(";\n"),
      "sqlite",
    );
    expect(
      ms.map((m) => (m.kind === "alter-table" ? m.actions.map((a) => a.type) : m.kind)),
    ).toEqual([
      ["rename-table"],
      ["rename-column"],
      ["rename-column"],
      ["add-column"],
      ["add-column"],
      ["drop-column"],
    ]);
    expect(ms[3]).toMatchObject({
      actions: [
        {
          column: { name: "c", notNull: true, default: { text: "'x'" }, references: { name: "o" } },
        },
      ],
    });
    expect(ms[5]).toMatchObject({ table: { name: "t" }, actions: [{ column: "e" }] });
  });

  test("common DDL that node-sql-parser rejects", async () => {
    const ms = await models(
      [
        "BEGIN IMMEDIATE TRANSACTION",
        "PRAGMA foreign_keys=off",
        "DROP INDEX IF EXISTS i",
        'CREATE TABLE "_t_tmp" ("id" TEXT PRIMARY KEY, "n" INTEGER NOT NULL DEFAULT 0, FOREIGN KEY ("id") REFERENCES "o" ("id") ON DELETE CASCADE) WITHOUT ROWID',
        "CREATE UNIQUE INDEX IF NOT EXISTS u ON t (a) WHERE a IS NOT NULL",
        "END TRANSACTION",
      ].join(";\n"),
      "sqlite",
    );
    expect(ms.map((m) => m.kind)).toEqual([
      "transaction",
      "other",
      "drop",
      "create-table",
      "create-index",
      "transaction",
    ]);
    expect(ms[3]).toMatchObject({
      table: { name: "_t_tmp" },
      constraints: [{ kind: "foreign-key", references: { name: "o" } }],
    });
    expect(ms[4]).toMatchObject({ unique: true, ifNotExists: true });
  });

  test("SQLite rejects what it does not have", async () => {
    const r = await parse(
      "ALTER TABLE t ALTER COLUMN c TYPE int;\nALTER TABLE t MODIFY c int;",
      "sqlite",
    );
    expect(r.statements.map((s) => s.model)).toEqual([null, null]);
  });
});

describe("SQLite syntax node-sql-parser lacks (FILTER, CTE before DML, NOT GLOB, upsert)", () => {
  const one = async (sql: string) => {
    const r = await parse(sql, "sqlite");
    expect(r.statements).toHaveLength(1);
    return r.statements[0]!;
  };

  test("aggregate FILTER (WHERE …), also in an INSERT … SELECT and with a subquery read", async () => {
    const s = await one(
      "INSERT INTO stats (a, n) SELECT a, count(*) FILTER (WHERE b > (SELECT max(x) FROM lim)) FROM t GROUP BY a",
    );
    expect(s.error).toBeNull();
    expect(s.model).toMatchObject({ kind: "other", tag: "INSERT", writes: [{ name: "stats" }] });
    expect(s.model!.reads!.map((n) => n.name).sort()).toEqual(["lim", "t"]);
  });

  test("WITH RECURSIVE … UPDATE: the DML is read, the CTE's tables are reads, CTE names are not", async () => {
    const s = await one(
      "WITH RECURSIVE sub(id) AS (SELECT id FROM nodes WHERE parent IS NULL UNION ALL SELECT n.id FROM nodes n JOIN sub ON n.parent = sub.id)\nUPDATE nodes SET live = 0 WHERE id IN (SELECT id FROM sub)",
    );
    expect(s.error).toBeNull();
    expect(s.model).toMatchObject({ kind: "update", table: { name: "nodes" }, hasWhere: true });
    expect(s.model!.reads).toEqual([{ name: "nodes" }]);
  });

  test("WITH … DELETE without WHERE is still a whole-table delete", async () => {
    const s = await one("WITH old AS (SELECT id FROM archive) DELETE FROM users");
    expect(s.model).toMatchObject({ kind: "delete", table: { name: "users" }, hasWhere: false });
    expect(s.model!.reads).toEqual([{ name: "archive" }]);
  });

  test("WITH … INSERT, with a FILTER inside the CTE", async () => {
    const s = await one(
      'WITH "C" AS (SELECT a, sum(v) FILTER (WHERE v > 0) AS s FROM src GROUP BY a) INSERT INTO dst (a, s) SELECT a, s FROM c',
    );
    expect(s.error).toBeNull();
    expect(s.model).toMatchObject({
      tag: "INSERT",
      writes: [{ name: "dst" }],
      reads: [{ name: "src" }],
    });
  });

  test("NOT GLOB", async () => {
    const s = await one("DELETE FROM files WHERE path NOT GLOB 'tmp/*'");
    expect(s.model).toMatchObject({ kind: "delete", table: { name: "files" }, hasWhere: true });
  });

  test("upsert: DO NOTHING, DO UPDATE SET … WHERE, several clauses, RETURNING, after a SELECT", async () => {
    const texts = [
      "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO NOTHING",
      "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT DO NOTHING",
      "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k) DO UPDATE SET v = excluded.v WHERE v <> excluded.v",
      "INSERT INTO kv (k, v) VALUES ('a', 1) ON CONFLICT (k COLLATE nocase) WHERE k IS NOT NULL DO UPDATE SET v = v + 1 ON CONFLICT DO NOTHING RETURNING k",
      "INSERT INTO kv (k, v) SELECT k, v FROM staging WHERE true ON CONFLICT (k) DO UPDATE SET v = excluded.v",
    ];
    for (const t of texts) {
      const s = await one(t);
      expect({ t, error: s.error }).toEqual({ t, error: null });
      expect(s.model).toMatchObject({ tag: "INSERT", writes: [{ name: "kv" }] });
    }
    expect((await one(texts[4]!)).model!.reads).toEqual([{ name: "staging" }]);
  });

  test("broken forms of the same syntax stay parse errors, placed in the statement", async () => {
    const bad = [
      ["SELECT count(*) FILTER (WHERE) FROM t", "WHERE"],
      ["INSERT INTO s SELECT count(*) FILTER (WHERE x >) FROM t", ")"],
      ["WITH c AS (SELECT FROM) UPDATE t SET a = 1", ") UPDATE"],
      ["WITH c AS (SELECT 1) DROP TABLE t", "DROP"],
      ["WITH c AS SELECT 1 UPDATE t SET a = 1", "SELECT 1 UPDATE"],
      ["DELETE FROM t WHERE a NOT GLOB", ""],
      ["INSERT INTO t VALUES (1) ON CONFLICT DO SOMETHING", "ON"],
      ["INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET", "ON"],
      ["INSERT INTO t VALUES (1) ON CONFLICT (a) DO UPDATE SET b = = 1", "= 1"],
      ["INSERT INTO t VALUES (1) ON CONFLICT () DO NOTHING", "ON"],
      ["INSERT INTO t VALUES (1) ON CONFLICT DO NOTHING garbage", "ON"],
    ] as const;
    for (const [text, near] of bad) {
      const s = await one(text);
      expect({ text, model: s.model }).toEqual({ text, model: null });
      expect(s.error).not.toBeNull();
      if (near)
        expect({ text, at: text.slice(s.error!.offset) }).toEqual({
          text,
          at: expect.stringContaining(near),
        });
    }
  });
});

describe("SQLite PRAGMA and foreign key actions in the model", () => {
  test("PRAGMA name and value, in every written form", async () => {
    const ms = await models(
      [
        "PRAGMA foreign_keys=OFF",
        "pragma main.Foreign_Keys = 'No'",
        "PRAGMA foreign_keys(0)",
        "PRAGMA foreign_key_check",
        'PRAGMA "defer_foreign_keys" = on',
      ].join(";\n"),
      "sqlite",
    );
    expect(ms.map((m) => (m.kind === "other" ? m.pragma : null))).toEqual([
      { name: "foreign_keys", value: "off" },
      { name: "foreign_keys", value: "no" },
      { name: "foreign_keys", value: "0" },
      { name: "foreign_key_check", value: null },
      { name: "defer_foreign_keys", value: "on" },
    ]);
  });

  test("ON DELETE actions of column and table foreign keys", async () => {
    const [m] = await models(
      "CREATE TABLE c (a INTEGER REFERENCES p (id) ON UPDATE CASCADE ON DELETE SET NULL, b INTEGER REFERENCES q, d INTEGER, FOREIGN KEY (d) REFERENCES r (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED)",
      "sqlite",
    );
    expect(m).toMatchObject({
      kind: "create-table",
      columns: [{ onDelete: "SET NULL" }, { references: { name: "q" } }, {}],
      constraints: [{ kind: "foreign-key", references: { name: "r" }, onDelete: "CASCADE" }],
    });
    expect(m!.kind === "create-table" && m!.columns[1]!.onDelete).toBeUndefined();
  });
});
