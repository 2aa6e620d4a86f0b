import { models, parse } from "../../../helpers/source.js";

describe("Postgres parser (libpg-query)", () => {
  test("trigger switches, replica identity and storage parameters name what they set", async () => {
    const r = await parse(
      'ALTER TABLE t DISABLE TRIGGER a, DISABLE TRIGGER ALL, ENABLE TRIGGER USER, ENABLE TRIGGER "B", ENABLE REPLICA TRIGGER c, ENABLE ALWAYS TRIGGER d, ENABLE ROW LEVEL SECURITY, NO FORCE ROW LEVEL SECURITY, REPLICA IDENTITY FULL, REPLICA IDENTITY USING INDEX i, SET (autovacuum_enabled = false, toast.autovacuum_enabled = 0, fillfactor = 70, user_catalog_table);',
    );
    const m = r.statements[0]!.model!;
    if (m.kind !== "alter-table") throw new Error(m.kind);
    expect(m.actions.map((a) => (a.type === "other" ? [a.option, a.value] : a.type))).toEqual([
      ["DISABLE TRIGGER", "a"],
      ["DISABLE TRIGGER", "ALL"],
      ["ENABLE TRIGGER", "USER"],
      ["ENABLE TRIGGER", "B"],
      ["ENABLE REPLICA TRIGGER", "c"],
      ["ENABLE ALWAYS TRIGGER", "d"],
      ["ROW LEVEL SECURITY", "ENABLE"],
      ["ROW LEVEL SECURITY", "NO FORCE"],
      ["REPLICA IDENTITY", "FULL"],
      ["REPLICA IDENTITY", "USING INDEX"],
      ["SET", "autovacuum_enabled,autovacuum_enabled,fillfactor,user_catalog_table"],
    ]);
    const set = m.actions[10]!;
    expect(set.type === "other" && set.settings).toEqual([
      { name: "autovacuum_enabled", value: "false" },
      { name: "toast.autovacuum_enabled", value: "0" },
      { name: "fillfactor", value: "70" },
      { name: "user_catalog_table", value: null },
    ]);
  });

  test("assigned columns: UPDATE SET (parts marked), INSERT column list, ON CONFLICT DO UPDATE", async () => {
    const r = await parse(
      'UPDATE t SET (a, "B") = (1, 2), c[1] = 3 WHERE id = 1;\nINSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a) DO UPDATE SET b = 3;\nINSERT INTO t VALUES (1);',
    );
    expect(r.statements.map((s) => s.model!.assignments)).toEqual([
      [{ clause: "SET", columns: [{ name: "a" }, { name: "B" }, { name: "c", part: true }] }],
      [
        { clause: "INSERT", columns: [{ name: "a" }, { name: "b" }] },
        { clause: "ON CONFLICT DO UPDATE SET", columns: [{ name: "b" }] },
      ],
      undefined,
    ]);
  });

  test("ALTER TABLE actions are normalised and placed on their own lines", async () => {
    const sql = [
      "ALTER TABLE public.users", // 1
      "  ADD COLUMN a int NOT NULL DEFAULT 0,", // 2
      "  ADD COLUMN b uuid DEFAULT gen_random_uuid(),", // 3
      "  ALTER COLUMN c TYPE numeric(10,2) USING c::numeric,", // 4
      "  ALTER COLUMN d SET NOT NULL,", // 5
      "  DROP COLUMN e CASCADE,", // 6
      "  ADD CONSTRAINT fk FOREIGN KEY (x) REFERENCES orgs (id) NOT VALID,", // 7
      "  VALIDATE CONSTRAINT other,", // 8
      "  ADD CONSTRAINT nn CHECK (f IS NOT NULL) NOT VALID;", // 9
    ].join("\n");
    const r = await parse(sql);
    const m = r.statements[0]!.model!;
    expect(m.kind).toBe("alter-table");
    if (m.kind !== "alter-table") return;
    expect(m.table).toEqual({ schema: "public", name: "users" });
    const li = (await import("../../../helpers/source.js")).sourceOf(sql).split.lines;
    expect(m.actions.map((a) => [a.type, li.position(a.span.start).line])).toEqual([
      ["add-column", 2],
      ["add-column", 3],
      ["alter-column-type", 4],
      ["set-not-null", 5],
      ["drop-column", 6],
      ["add-constraint", 7],
      ["validate-constraint", 8],
      ["add-constraint", 9],
    ]);
    const [a, b, c, , e, fk, , nn] = m.actions;
    expect(a).toMatchObject({
      column: {
        name: "a",
        dataType: "integer",
        notNull: true,
        default: { text: "0", volatility: "constant" },
      },
    });
    expect(b).toMatchObject({
      column: {
        default: {
          text: "gen_random_uuid()",
          volatility: "volatile",
          volatileFunctions: ["gen_random_uuid"],
        },
      },
    });
    expect(c).toMatchObject({ column: "c", dataType: "numeric(10,2)", using: true });
    expect(e).toMatchObject({ column: "e", cascade: true });
    expect(fk).toMatchObject({
      constraint: {
        kind: "foreign-key",
        name: "fk",
        notValid: true,
        references: { name: "orgs" },
        columns: ["x"],
      },
    });
    expect(nn).toMatchObject({ constraint: { kind: "check", notNullColumn: "f", notValid: true } });
    expect(m.strongLocks).toEqual([{ schema: "public", name: "users" }, { name: "orgs" }]);
  });

  test("default volatility comes from pg_proc data", async () => {
    const defaults = [
      ["now()", "stable"],
      ["CURRENT_TIMESTAMP", "stable"],
      ["'x'::text", "constant"],
      ["lower('X') || 'y'", "constant"],
      ["random() * 10", "volatile"],
      ["nextval('s'::regclass)", "volatile"],
      ["my_func()", "volatile"],
      ["NULL", "constant"],
    ];
    for (const [expr, vol] of defaults) {
      const [m] = await models(`ALTER TABLE t ADD COLUMN c text DEFAULT ${expr};`);
      if (m!.kind !== "alter-table" || m!.actions[0]!.type !== "add-column") throw new Error();
      expect([expr, m!.actions[0]!.column.default?.volatility]).toEqual([expr, vol]);
      expect(m!.actions[0]!.column.default?.text).toBe(expr);
    }
  });

  test("statement kinds and facts", async () => {
    const ms = await models(
      [
        "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (a)",
        "DROP INDEX CONCURRENTLY i",
        "DROP TABLE a, s.b CASCADE",
        "TRUNCATE a",
        "DELETE FROM a",
        "UPDATE a SET x = 1 WHERE id = 2",
        "BEGIN",
        "END",
        "SET LOCAL lock_timeout = '1s'",
        "GRANT SELECT ON t TO app WITH GRANT OPTION",
        "VACUUM (FULL) t",
        "ALTER TABLE t RENAME TO u",
        "ALTER TABLE t RENAME COLUMN a TO b",
        "CREATE TABLE p_1 PARTITION OF p FOR VALUES IN (1)",
        "LOCK TABLE t IN ACCESS SHARE MODE",
        "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
        "COMMENT ON TABLE t IS 'x'",
      ].join(";\n"),
    );
    expect(ms.map((m) => m.kind)).toEqual([
      "create-index",
      "drop",
      "drop",
      "truncate",
      "delete",
      "update",
      "transaction",
      "transaction",
      "set",
      "grant",
      "vacuum",
      "alter-table",
      "alter-table",
      "create-table",
      "other",
      "create-other",
      "other",
    ]);
    expect(ms[0]).toMatchObject({
      concurrently: true,
      nonTransactional: "CREATE INDEX CONCURRENTLY",
      strongLocks: [],
    });
    expect(ms[1]).toMatchObject({
      objectType: "index",
      concurrently: true,
      nonTransactional: "DROP INDEX CONCURRENTLY",
    });
    expect(ms[2]).toMatchObject({
      names: [{ name: "a" }, { schema: "s", name: "b" }],
      cascade: true,
    });
    expect(ms[4]).toMatchObject({ hasWhere: false, ddl: false });
    expect(ms[5]).toMatchObject({ hasWhere: true });
    expect(ms[6]).toMatchObject({ action: "begin" });
    expect(ms[7]).toMatchObject({ action: "commit" });
    expect(ms[8]).toMatchObject({ name: "lock_timeout", value: "1s", scope: "local" });
    expect(ms[9]).toMatchObject({
      privileges: ["select"],
      grantees: ["app"],
      withGrantOption: true,
    });
    expect(ms[10]).toMatchObject({
      full: true,
      strongLocks: [{ name: "t" }],
      nonTransactional: "VACUUM FULL",
    });
    expect(ms[11]).toMatchObject({ actions: [{ type: "rename-table", to: { name: "u" } }] });
    expect(ms[12]).toMatchObject({ actions: [{ type: "rename-column", from: "a", to: "b" }] });
    expect(ms[13]).toMatchObject({ strongLocks: [{ name: "p" }] });
    expect(ms[14]).toMatchObject({ strongLocks: [] });
    expect(ms[15]).toMatchObject({ objectType: "trigger", strongLocks: [{ name: "t" }] });
  });

  test("a parse error points at the right character even after non-ASCII text", async () => {
    const sql = "SELECT 'ünïcödé 🚀' FROMM x WHERE;\nSELECT 1;";
    const r = await parse(sql);
    expect(r.statements[0]!.model).toBeNull();
    const err = r.statements[0]!.error!;
    expect(err.message).toMatch(/syntax error/);
    // libpg-query counts code points (🚀 is one, but two string units); ours is a string index.
    expect(sql.slice(err.offset)).toMatch(/^x WHERE/);
    expect(r.statements[1]!.model).not.toBeNull();
  });

  test("one bad statement does not hide the others", async () => {
    const r = await parse("CREATE TABLE (;\nDROP TABLE t;\nALTER TABLE;\nSELECT 1;");
    expect(r.statements.map((s) => s.model?.kind ?? "error")).toEqual([
      "error",
      "drop",
      "error",
      "other",
    ]);
  });

  test("Go template placeholders are masked with same-length names and reported", async () => {
    const sql =
      'CREATE INDEX i ON {{ index .Options "Namespace" }}.users (a);\nALTER TABLE "{{ index .Options "Namespace" }}".users DROP COLUMN b;';
    const r = await parse(sql);
    expect(r.templates).toHaveLength(2);
    expect(r.statements.every((s) => s.templated && s.model !== null)).toBe(true);
    expect(r.statements[0]!.model).toMatchObject({
      kind: "create-index",
      table: { name: "users" },
    });
    expect(sql.slice(r.templates[0]!.start, r.templates[0]!.end)).toBe(
      '{{ index .Options "Namespace" }}',
    );
  });

  test("unterminated input is a parse error, never a model", async () => {
    const r = await parse("SELECT 1;\nSELECT 'oops;\n");
    expect(r.statements[1]!.error?.message).toMatch(/unterminated string literal/);
  });
});
