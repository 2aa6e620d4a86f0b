import { models, parse } from "../../../helpers/source.js";

describe("ClickHouse token reader", () => {
  test("what a change creates: tables with their columns, whatever the engine clauses", async () => {
    const [m] = await models(
      [
        "CREATE TABLE IF NOT EXISTS db.events ON CLUSTER '{cluster}' (",
        "  id UInt64,",
        "  name LowCardinality(String) DEFAULT '',",
        "  at DateTime64(3, 'UTC') CODEC(Delta, ZSTD),",
        "  `tags` Array(String),",
        "  INDEX idx_name name TYPE bloom_filter GRANULARITY 4,",
        "  PROJECTION p (SELECT id ORDER BY at)",
        ") ENGINE = ReplicatedMergeTree ORDER BY (id, at) SETTINGS index_granularity = 8192",
      ].join("\n"),
      "clickhouse",
    );
    expect(m).toMatchObject({
      kind: "create-table",
      table: { schema: "db", name: "events" },
      ifNotExists: true,
      asQuery: false,
    });
    expect(m!.kind === "create-table" && m!.columns.map((c) => [c.name, c.dataType])).toEqual([
      ["id", "UInt64"],
      ["name", "LowCardinality(String)"],
      ["at", "DateTime64(3, 'UTC')"],
      ["tags", "Array(String)"],
    ]);
  });

  test("ON CLUSTER, SYNC and NO DELAY are read past", async () => {
    const ms = await models(
      [
        "DROP TABLE IF EXISTS t ON CLUSTER main SYNC",
        "DROP TABLE u NO DELAY",
        "DROP DATABASE IF EXISTS d ON CLUSTER `c`",
        "TRUNCATE TEMPORARY TABLE IF EXISTS x ON CLUSTER c",
        "RENAME TABLE a TO b ON CLUSTER c",
      ].join(";\n"),
      "clickhouse",
    );
    expect(
      ms.map((m) =>
        m.kind === "drop"
          ? [m.kind, m.objectType, m.names.map((n) => n.name)]
          : m.kind === "truncate"
            ? [m.kind, m.tables.map((n) => n.name)]
            : m.kind === "rename-tables"
              ? [m.kind, m.renames.map((r) => `${r.from.name}>${r.to.name}`)]
              : [m.kind],
      ),
    ).toEqual([
      ["drop", "table", ["t"]],
      ["drop", "table", ["u"]],
      ["drop", "database", ["d"]],
      ["truncate", ["x"]],
      ["rename-tables", ["a>b"]],
    ]);
  });

  test("ALTER TABLE: column changes with their own lines, everything else as other", async () => {
    const sql = [
      "ALTER TABLE users ON CLUSTER c",
      "  ADD COLUMN IF NOT EXISTS city String DEFAULT '' AFTER name,",
      "  DROP COLUMN email,",
      "  RENAME COLUMN a TO b,",
      "  MODIFY COLUMN age UInt16,",
      "  MODIFY COLUMN c DEFAULT 1,",
      "  DELETE WHERE id = 1,",
      "  MODIFY TTL at + INTERVAL 1 DAY;",
    ].join("\n");
    const r = await parse(sql, "clickhouse");
    const m = r.statements[0]!.model!;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(
      m.actions.map((a) => [
        a.type,
        sql.slice(0, a.span.start).split("\n").length,
        "column" in a ? (typeof a.column === "string" ? a.column : a.column.name) : null,
      ]),
    ).toEqual([
      ["add-column", 2, "city"],
      ["drop-column", 3, "email"],
      ["rename-column", 4, null],
      ["alter-column-type", 5, "age"],
      ["other", 6, null],
      ["other", 7, null],
      ["other", 8, null],
    ]);
    expect(m.actions[3]).toMatchObject({ dataType: "UInt16" });
  });

  test("passwords: plaintext unless the method takes a hash", async () => {
    const ms = await models(
      [
        "CREATE USER a IDENTIFIED BY 'pw'",
        "CREATE USER b IDENTIFIED WITH plaintext_password BY 'pw'",
        "ALTER USER c IDENTIFIED WITH double_sha1_hash BY 'abc'",
        "CREATE USER d IDENTIFIED WITH ldap SERVER 'corp'",
      ].join(";\n"),
      "clickhouse",
    );
    expect(ms.map((m) => m.passwords.map((p) => p.hashed))).toEqual([[false], [false], [true], []]);
  });

  test("statements no rule reads pass as other; unknown forms of those they read are parse errors", async () => {
    const r = await parse(
      [
        "INSERT INTO t VALUES (1)",
        "OPTIMIZE TABLE t FINAL",
        "CREATE MATERIALIZED VIEW mv TO t AS SELECT 1",
        "SYSTEM SYNC REPLICA t",
        "DROP DICTIONARY d",
        "DROP TABLE t PERMANENTLY",
        "TRUNCATE ALL TABLES FROM db",
        "ALTER TABLE",
      ].join(";\n"),
      "clickhouse",
    );
    expect(
      r.statements.map((s) =>
        s.model ? ["other", s.model.kind === "other" && s.model.tag] : ["error", s.error?.message],
      ),
    ).toEqual([
      ["other", "INSERT INTO"],
      ["other", "OPTIMIZE TABLE"],
      ["other", "CREATE MATERIALIZED"],
      ["other", "SYSTEM SYNC"],
      ["other", "DROP DICTIONARY"],
      ["error", expect.stringMatching(/^unrecognised DROP TABLE statement/)],
      ["error", expect.stringMatching(/^unrecognised TRUNCATE statement/)],
      ["error", expect.stringMatching(/^unrecognised ALTER TABLE statement/)],
    ]);
  });
});
