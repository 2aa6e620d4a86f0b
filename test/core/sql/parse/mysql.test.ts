import { loadParsers } from "../../../../src/core/sql/parse/index.js";
import { parseMysql } from "../../../../src/core/sql/parse/mysql.js";
import { models, parse, sourceOf } from "../../../helpers/source.js";

describe("MySQL parser (token reader + node-sql-parser)", () => {
  test("assigned columns: lower case, qualified only in a multi-table UPDATE", async () => {
    const r = await parse(
      "UPDATE t SET t.A = 1, b = 2 WHERE id = 1;\nUPDATE t1, t2 SET t1.a = 1, t2.A = 2;\nINSERT INTO t (`A`, b) VALUES (1, 2) ON DUPLICATE KEY UPDATE b = 3;",
      "mysql",
    );
    expect(r.statements.map((s) => s.model!.assignments)).toEqual([
      [{ clause: "SET", columns: [{ name: "a" }, { name: "b" }] }],
      [{ clause: "SET", columns: [{ name: "t1.a" }, { name: "t2.a" }] }],
      [
        { clause: "INSERT", columns: [{ name: "a" }, { name: "b" }] },
        { clause: "ON DUPLICATE KEY UPDATE", columns: [{ name: "b" }] },
      ],
    ]);
  });

  test("online DDL facts: IGNORE, ALGORITHM/LOCK, option keywords and values, column position", async () => {
    const sql =
      "ALTER ONLINE IGNORE TABLE t ADD UNIQUE KEY u (a), ADD COLUMN b int FIRST, ADD FULLTEXT INDEX f (c), " +
      "DEFAULT CHARSET = utf8mb4, CONVERT TO CHARACTER SET latin1, ENGINE = 'InnoDB', ALGORITHM = inplace, LOCK=None;";
    const m = (await parse(sql, "mysql")).statements[0]!.model!;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(m).toMatchObject({ ignore: true, algorithm: "INPLACE", lock: "NONE" });
    expect(m.actions[1]).toMatchObject({ type: "add-column", column: { positioned: true } });
    expect(
      m.actions.flatMap((a) => (a.type === "other" ? [[a.option, a.value ?? null]] : [])),
    ).toEqual([
      ["ADD FULLTEXT INDEX", null],
      ["CHARACTER SET", "UTF8MB4"],
      ["CONVERT", null],
      ["ENGINE", "INNODB"],
      ["ALGORITHM", "INPLACE"],
      ["LOCK", "NONE"],
    ]);
    const plain = (await parse("ALTER TABLE t ADD COLUMN b int;", "mysql")).statements[0]!.model!;
    expect(plain).not.toHaveProperty("ignore");
    expect(plain).not.toHaveProperty("algorithm");
  });

  test("ALTER TABLE actions with positions, MODIFY/CHANGE definitions, table options", async () => {
    const sql = [
      "ALTER TABLE `app`.`Users`", // 1
      "  ADD COLUMN `age` INT UNSIGNED NOT NULL DEFAULT 0 AFTER `name`,", // 2
      "  MODIFY COLUMN email VARCHAR(320) CHARACTER SET utf8mb4 NOT NULL,", // 3
      "  CHANGE old_name new_name TEXT NULL,", // 4
      "  DROP COLUMN legacy,", // 5
      "  DROP FOREIGN KEY fk_x,", // 6
      "  ADD CONSTRAINT fk_org FOREIGN KEY (org_id) REFERENCES orgs (id) ON DELETE CASCADE,", // 7
      "  ALTER COLUMN flag SET DEFAULT 1,", // 8
      "  RENAME COLUMN a TO b,", // 9
      "  ALGORITHM=INPLACE, LOCK=NONE;", // 10
    ].join("\n");
    const r = await parse(sql, "mysql");
    const m = r.statements[0]!.model!;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(m.table).toEqual({ schema: "app", name: "users" });
    const li = sourceOf(sql, "mysql").split.lines;
    expect(m.actions.map((a) => [a.type, li.position(a.span.start).line])).toEqual([
      ["add-column", 2],
      ["alter-column-type", 3],
      ["alter-column-type", 4],
      ["drop-column", 5],
      ["drop-constraint", 6],
      ["add-constraint", 7],
      ["set-default", 8],
      ["rename-column", 9],
      ["other", 10],
      ["other", 10],
    ]);
    expect(m.actions[0]).toMatchObject({
      column: {
        name: "age",
        dataType: "INT UNSIGNED",
        notNull: true,
        default: { text: "0", volatility: "constant" },
      },
    });
    expect(m.actions[1]).toMatchObject({
      syntax: "modify",
      dataType: "VARCHAR(320) CHARACTER SET utf8mb4",
      definition: { notNull: true },
    });
    expect(m.actions[2]).toMatchObject({
      syntax: "change",
      column: "old_name",
      definition: { name: "new_name", notNull: false },
    });
    expect(m.actions[5]).toMatchObject({
      constraint: { kind: "foreign-key", name: "fk_org", references: { name: "orgs" } },
    });
    expect(m.strongLocks).toEqual([{ schema: "app", name: "users" }, { name: "orgs" }]);
  });

  test("statements node-sql-parser rejects are still read", async () => {
    const ms = await models(
      [
        "DROP TABLE IF EXISTS a, b CASCADE",
        "GRANT ALL PRIVILEGES ON app.* TO 'svc'@'%' WITH GRANT OPTION",
        "REVOKE SELECT ON app.t FROM 'svc'@'%'",
        "ALTER USER 'svc'@'%' IDENTIFIED BY 'x'",
        "SET PASSWORD FOR 'svc'@'%' = 'y'",
        "SAVEPOINT s1",
        "CREATE TABLE t (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, ok bool NOT NULL DEFAULT false, PRIMARY KEY (id), KEY k (ok)) ENGINE=InnoDB",
        "ALTER TABLE t ENGINE=InnoDB, CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
        "SET @@session.lock_wait_timeout = 5",
      ].join(";\n"),
      "mysql",
    );
    expect(ms.map((m) => m.kind)).toEqual([
      "drop",
      "grant",
      "grant",
      "other",
      "other",
      "transaction",
      "create-table",
      "alter-table",
      "set",
    ]);
    expect(ms[0]).toMatchObject({
      names: [{ name: "a" }, { name: "b" }],
      cascade: true,
      ifExists: true,
    });
    expect(ms[1]).toMatchObject({
      privileges: ["all privileges"],
      grantees: ["'svc'@'%'"],
      withGrantOption: true,
      revoke: false,
    });
    expect(ms[2]).toMatchObject({ revoke: true });
    expect(ms[3]!.passwords).toHaveLength(1);
    expect(ms[4]!.passwords).toHaveLength(1);
    expect(ms[6]).toMatchObject({
      columns: [{ name: "id", generated: "auto-increment" }, { name: "ok" }],
      constraints: [{ kind: "primary-key" }],
    });
    expect(ms[8]).toMatchObject({ name: "lock_wait_timeout", value: "5", scope: "session" });
  });

  test("DML goes through node-sql-parser", async () => {
    const ms = await models(
      "DELETE t FROM t JOIN u ON t.id = u.id;\nUPDATE t SET a = 1 WHERE b = 2;\nINSERT INTO t VALUES (1);",
      "mysql",
    );
    expect(ms.map((m) => [m.kind, "hasWhere" in m ? m.hasWhere : null])).toEqual([
      ["delete", false],
      ["update", true],
      ["other", null],
    ]);
  });

  test("DDL the strict reader rejects but node-sql-parser accepts is read leniently", async () => {
    const sql =
      "ALTER TABLE t\n  ADD COLUMN c INT NOT NULL DEFAULT 0 CHECK (c > 0) ENFORCED,\n  DROP d;";
    const r = await parse(sql, "mysql");
    const m = r.statements[0]!.model!;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(m.actions.map((a) => a.type)).toEqual(["add-column", "drop-column"]);
    expect(sourceOf(sql, "mysql").split.lines.position(m.actions[1]!.span.start).line).toBe(3);
    // node-sql-parser read it (the token reader's models carry no tree).
    await loadParsers("mysql");
    const direct = parseMysql({ text: sql, base: 0, span: { start: 0, end: sql.length } }, null);
    expect(direct.ok && direct.ast).toBeTruthy();
  });

  test("MySQL's DROP INDEX needs ON table", async () => {
    const r = await parse("DROP INDEX i;\nDROP INDEX i ON t;", "mysql");
    expect(r.statements.map((s) => s.model?.kind ?? "error")).toEqual(["error", "drop"]);
  });

  test("garbage is a parse error with node-sql-parser's message", async () => {
    const r = await parse("ALTER TABLE t FROBNICATE c;\nSELECT 1;", "mysql");
    expect(r.statements[0]!.model).toBeNull();
    expect(r.statements[0]!.error!.message).toMatch(/^expected .* but .* found$/);
    expect(r.statements[1]!.model).not.toBeNull();
  });

  test("DO is read as the SELECT it evaluates: its calls, and its syntax errors where written", async () => {
    const r = await parse("DO 1, wipe(2);\nDO 1 +;", "mysql");
    const m = r.statements[0]!.model!;
    expect(m).toMatchObject({ kind: "other", tag: "DO" });
    expect(m.effects?.calls.map((c) => c.name.name)).toEqual(["wipe"]);
    expect(r.statements[1]!.model).toBeNull();
    // The error is at the end of `DO 1 +`, not four bytes further (the length of SELECT less DO).
    expect(r.statements[1]!.error!.offset).toBe("DO 1, wipe(2);\nDO 1 +".length);
  });

  test("a databaseVersion of 10.x or later selects MariaDB mode", async () => {
    const r = await parse("SELECT 1;", "mysql", { databaseVersion: "10.11" });
    expect(r.statements[0]!.model).toMatchObject({ kind: "other", tag: "SELECT" });
  });
});
