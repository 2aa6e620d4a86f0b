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
