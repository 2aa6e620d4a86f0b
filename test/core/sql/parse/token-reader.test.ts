import { tokenize } from "../../../../src/core/sql/lexer.js";
import type { Dialect } from "../../../../src/core/types.js";
import { readClickhouseTokens } from "../../../../src/core/sql/parse/token-reader/clickhouse.js";
import { readMysqlTokens } from "../../../../src/core/sql/parse/token-reader/mysql.js";
import { readSqliteTokens } from "../../../../src/core/sql/parse/token-reader/sqlite.js";

const input = (text: string) => ({ text, base: 0, span: { start: 0, end: text.length } });
const read = (text: string, dialect: "mysql" | "sqlite") =>
  (dialect === "mysql" ? readMysqlTokens : readSqliteTokens)(
    input(text),
    tokenize(text, dialect as Dialect),
  );

describe("token readers: one pass, and whether it was exact", () => {
  test("a shape the reader knows is exact", () => {
    const r = read("ALTER TABLE t DROP COLUMN a, ADD COLUMN b INT NOT NULL DEFAULT 0", "mysql");
    expect(r?.exact).toBe(true);
    expect(r?.model).toMatchObject({ kind: "alter-table" });
  });

  test.each<[string, "mysql" | "sqlite", string[]]>([
    // a column attribute the reader does not know
    [
      "ALTER TABLE t ADD COLUMN c INT NOT NULL ENFORCED, DROP d",
      "mysql",
      ["add-column", "drop-column"],
    ],
    // an action the reader does not know: kept as `other`, the others still placed
    ["ALTER TABLE t FROBNICATE c, DROP COLUMN d", "mysql", ["other", "drop-column"]],
    // words left over after an action
    ["ALTER TABLE t DROP COLUMN d e", "sqlite", ["drop-column"]],
    // SQLite has no RENAME without TO
    ["ALTER TABLE t RENAME a b, DROP COLUMN d", "sqlite", ["other", "drop-column"]],
  ])("%s (%s) is read in part, and says so", (sql, dialect, types) => {
    const r = read(sql, dialect);
    expect(r?.exact).toBe(false);
    const m = r!.model;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(m.actions.map((a) => a.type)).toEqual(types);
    const drop = m.actions[m.actions.length - 1]!;
    expect(sql.slice(drop.span.start, drop.span.end)).toMatch(/^DROP (COLUMN )?d/);
  });

  test("words left over after a statement make it inexact", () => {
    expect(read("DROP TABLE t PLEASE", "mysql")?.exact).toBe(false);
    expect(read("DROP TABLE t", "mysql")?.exact).toBe(true);
  });

  test("statements the readers do not read are null (node-sql-parser reads them)", () => {
    expect(read("SELECT 1", "mysql")).toBeNull();
    expect(read("PRAGMA foreign_keys = on", "mysql")).toBeNull();
    expect(read("SET x = 1", "sqlite")).toBeNull();
    expect(read("ALTER TABLE", "mysql")).toBeNull();
  });

  test("a part's inexactness reaches the whole statement (CREATE TABLE columns)", () => {
    expect(read("CREATE TABLE t (a INT, b INT NOT NULL WEIRD)", "sqlite")?.exact).toBe(false);
    expect(read("CREATE TABLE t (a INT, b INT NOT NULL)", "sqlite")?.exact).toBe(true);
  });

  test("ClickHouse: a form not fully read is no reading at all", () => {
    const ch = (sql: string) => readClickhouseTokens(input(sql), tokenize(sql, "clickhouse"));
    expect(ch("DROP TABLE t PERMANENTLY")).toBeNull();
    expect(ch("DROP TABLE t SYNC")).toMatchObject({ kind: "drop" });
    expect(ch("ALTER TABLE t ADD COLUMN")).toBeNull();
  });
});
