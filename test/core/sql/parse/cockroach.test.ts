import { cockroachAsPostgres } from "../../../../src/core/sql/parse/cockroach.js";
import { lint } from "../../../helpers/lint.js";

const base = ["1_init.up.sql", "1_init.down.sql"];

describe("CockroachDB spellings read as Postgres (same length, only when the text does not parse)", () => {
  test.each([
    ["DROP INDEX IF EXISTS t@t_idx CASCADE", "DROP INDEX IF EXISTS   t_idx CASCADE"],
    ['DROP INDEX app."Orders"@o_idx', "DROP INDEX app.         o_idx"],
    ["ALTER INDEX t@i RENAME TO j", "ALTER INDEX   i RENAME TO j"],
    ["CREATE INVERTED INDEX i ON t (config)", "CREATE          INDEX i ON t (config)"],
    [
      "CREATE UNIQUE INDEX i ON t (a ASC) STORING (b)",
      "CREATE UNIQUE INDEX i ON t (a ASC) INCLUDE (b)",
    ],
    [
      "CREATE UNIQUE INDEX i ON t (a, b) USING HASH WHERE a != ''",
      "CREATE UNIQUE INDEX i ON t (a, b)            WHERE a != ''",
    ],
    [
      "ALTER TABLE t ADD CONSTRAINT IF NOT EXISTS fk FOREIGN KEY (a) REFERENCES u (id)",
      "ALTER TABLE t ADD CONSTRAINT               fk FOREIGN KEY (a) REFERENCES u (id)",
    ],
  ])("%s", (cockroach, postgres) => {
    const out = cockroachAsPostgres(cockroach);
    expect(out).toBe(postgres);
    expect(out!.length).toBe(cockroach.length);
  });

  test("strings, quoted names, comments and other statements are never rewritten", () => {
    expect(cockroachAsPostgres("SELECT 'DROP INDEX t@i', \"STORING\" FROM t")).toBeNull();
    expect(cockroachAsPostgres("DROP TABLE t@i")).toBeNull();
    expect(cockroachAsPostgres("CREATE INDEX i ON t (c) WHERE note = 'USING HASH'")).toBeNull();
    expect(cockroachAsPostgres("CREATE INDEX i ON t USING hash (c)")).toBeNull();
    expect(cockroachAsPostgres("/* STORING (x) */ CREATE INDEX i ON t (c)")).toBeNull();
    // An index expression's parentheses are not the statement's level.
    expect(cockroachAsPostgres("CREATE INDEX i ON t ((a @ b))")).toBeNull();
  });

  test("line breaks are kept, so findings keep their lines", () => {
    const text = "CREATE INVERTED INDEX i\n  ON t (c)\n  STORING (d)";
    expect(cockroachAsPostgres(text)!.split("\n").length).toBe(3);
  });

  test("the corpus's CockroachDB-only statements are read, and rules see what they do", async () => {
    const f = await lint({
      dialect: "cockroachdb",
      base,
      files: {
        "2_x.up.sql": [
          "DROP INDEX IF EXISTS session_devices@unique_session_device CASCADE;",
          "CREATE INVERTED INDEX ic_idx",
          "    ON identity_credentials (config)",
          "    WHERE config ->> 'user_handle' IS NOT NULL;",
          "CREATE UNIQUE INDEX IF NOT EXISTS x ON t (nid ASC) STORING (id);",
          "CREATE UNIQUE INDEX IF NOT EXISTS y ON t (e, nid) USING HASH WHERE e != '';",
          "ALTER TABLE s",
          "    ALTER identity_id SET NOT NULL,",
          '    ADD CONSTRAINT IF NOT EXISTS "s_fk" FOREIGN KEY (identity_id) REFERENCES identities (id);',
          "DROP TABLE users;",
        ].join("\n"),
      },
    });
    expect(f.filter((x) => x.ruleId === "sql-parse-error")).toEqual([]);
    expect(f.filter((x) => x.ruleId === "drop-cascade").map((x) => x.startLine)).toEqual([1]);
    expect(f.filter((x) => x.ruleId === "drop-table").map((x) => x.startLine)).toEqual([10]);
  });

  test("Postgres itself gets no such reading: the same text stays a parse error there", async () => {
    const f = await lint({
      base,
      files: { "2_x.up.sql": "DROP INDEX IF EXISTS t@t_idx;\nCREATE INVERTED INDEX i ON t (c);" },
    });
    expect(f.filter((x) => x.ruleId === "sql-parse-error").map((x) => x.startLine)).toEqual([1, 2]);
  });
});
