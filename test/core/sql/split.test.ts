import fc from "fast-check";
import { splitStatements } from "../../../src/core/sql/split.js";
import type { Dialect } from "../../../src/core/types.js";

const texts = (sql: string, d: Dialect = "postgres") =>
  splitStatements(sql, d).statements.map((s) => s.text);

describe("splitStatements: boundaries", () => {
  test("splits on top-level semicolons and keeps a last unterminated statement", () => {
    const r = splitStatements("CREATE TABLE a (x int);\nSELECT 1", "postgres");
    expect(r.statements.map((s) => [s.text, s.terminated])).toEqual([
      ["CREATE TABLE a (x int)", true],
      ["SELECT 1", false],
    ]);
  });

  test("empty statements (;;) produce nothing", () => {
    expect(texts(";;SELECT 1;; ;\n;")).toEqual(["SELECT 1"]);
    expect(texts("")).toEqual([]);
    expect(texts("  \n\t ")).toEqual([]);
  });

  test("semicolons inside strings, identifiers and comments do not split", () => {
    expect(texts(`SELECT 'a;b', "c;d" /* ; */ FROM t -- ;\n;SELECT 2`)).toEqual([
      `SELECT 'a;b', "c;d" /* ; */ FROM t`,
      "SELECT 2",
    ]);
  });

  test("doubled quotes escape quotes", () => {
    expect(texts(`SELECT 'it''s;', "a""b;c";SELECT 2`)).toEqual([
      `SELECT 'it''s;', "a""b;c"`,
      "SELECT 2",
    ]);
  });

  test("Postgres: standard strings take no backslash escapes, E'' strings do", () => {
    expect(texts(`SELECT 'a\\';SELECT 2`)).toEqual([`SELECT 'a\\'`, "SELECT 2"]);
    expect(texts(`SELECT E'a\\';b';SELECT 2`)).toEqual([`SELECT E'a\\';b'`, "SELECT 2"]);
    expect(texts(`SELECT e'\\'';SELECT 2`)).toEqual([`SELECT e'\\''`, "SELECT 2"]);
    // A word ending in E is not an escape-string prefix.
    expect(texts(`SELECT name'x\\';SELECT 2`)).toEqual([`SELECT name'x\\'`, "SELECT 2"]);
  });

  test("MySQL: backslash escapes in both quote styles, backtick identifiers", () => {
    expect(texts(`SELECT 'a\\';b', "c\\";d", \`e;f\`;SELECT 2`, "mysql")).toEqual([
      `SELECT 'a\\';b', "c\\";d", \`e;f\``,
      "SELECT 2",
    ]);
  });

  test("SQLite: [bracketed] and `backtick` identifiers", () => {
    expect(texts("SELECT [a;b], `c;d` FROM t;SELECT 2", "sqlite")).toEqual([
      "SELECT [a;b], `c;d` FROM t",
      "SELECT 2",
    ]);
  });

  test("Postgres dollar quotes, tagged and nested, and $1 parameters", () => {
    const sql = [
      "CREATE FUNCTION f() RETURNS int AS $body$",
      "  SELECT $$;$$; SELECT 1;",
      "$body$ LANGUAGE sql;",
      "PREPARE p AS SELECT $1;",
      "SELECT a$b$c FROM t;",
    ].join("\n");
    expect(texts(sql)).toEqual([
      "CREATE FUNCTION f() RETURNS int AS $body$\n  SELECT $$;$$; SELECT 1;\n$body$ LANGUAGE sql",
      "PREPARE p AS SELECT $1",
      "SELECT a$b$c FROM t",
    ]);
  });

  test("Postgres BEGIN ATOMIC bodies keep their semicolons", () => {
    const sql =
      "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC\n  INSERT INTO t VALUES (1);\n  SELECT CASE WHEN true THEN 1 END;\nEND;\nSELECT 2;";
    expect(texts(sql)).toEqual([
      "CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC\n  INSERT INTO t VALUES (1);\n  SELECT CASE WHEN true THEN 1 END;\nEND",
      "SELECT 2",
    ]);
    // A plain transaction BEGIN is a statement of its own.
    expect(texts("BEGIN;\nSELECT 1;\nCOMMIT;")).toEqual(["BEGIN", "SELECT 1", "COMMIT"]);
  });

  test("MySQL routines: BEGIN … END with IF, CASE, loops and labels", () => {
    const body = [
      "CREATE DEFINER=`root`@`%` PROCEDURE p(IN x INT)",
      "main: BEGIN",
      "  IF x > 0 THEN SET @a = 1; ELSE SET @a = 2; END IF;",
      "  CASE x WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;",
      "  WHILE x > 0 DO SET x = x - 1; END WHILE;",
      "  SELECT CASE WHEN x THEN 1 END;",
      "END main",
    ].join("\n");
    expect(texts(`${body};\nDROP PROCEDURE IF EXISTS q;`, "mysql")).toEqual([
      body,
      "DROP PROCEDURE IF EXISTS q",
    ]);
  });

  test("SQLite triggers: BEGIN … END", () => {
    const trig =
      "CREATE TRIGGER t_upd AFTER UPDATE ON t BEGIN\n  UPDATE t SET u = CASE WHEN 1 THEN 2 END WHERE id = new.id;\n  SELECT 1;\nEND";
    expect(texts(`${trig};\nSELECT 2;`, "sqlite")).toEqual([trig, "SELECT 2"]);
  });

  test("CREATE TABLE named like a routine keyword is not a routine", () => {
    expect(texts("CREATE TABLE procedure_log (begin_at int);\nSELECT 1;", "mysql")).toEqual([
      "CREATE TABLE procedure_log (begin_at int)",
      "SELECT 1",
    ]);
  });
});

describe("splitStatements: comments", () => {
  test("line and block comments are collected with their bodies and positions", () => {
    const r = splitStatements("-- one\n/* two\n three */SELECT 1; -- four", "postgres");
    expect(r.comments.map((c) => [c.kind, c.body, c.startPos.line, c.endPos.line])).toEqual([
      ["line", " one", 1, 1],
      ["block", " two\n three ", 2, 3],
      ["line", " four", 3, 3],
    ]);
    expect(r.statements[0]!.startPos).toMatchObject({ line: 3, column: 10 });
  });

  test("Postgres block comments nest; MySQL's do not", () => {
    expect(texts("/* a /* b */ c; */ SELECT 1;")).toEqual(["SELECT 1"]);
    expect(texts("/* a /* b */ SELECT 1;", "mysql")).toEqual(["SELECT 1"]);
  });

  test("MySQL: # comments, -- needs a following space, /*! … */ is code", () => {
    expect(texts("# note ;\nSELECT 1--1;\nSELECT 2; -- x ;", "mysql")).toEqual([
      "SELECT 1--1",
      "SELECT 2",
    ]);
    const r = splitStatements("/*!40101 SET NAMES utf8 */;\nSELECT 1;", "mysql");
    expect(r.statements.map((s) => s.text)).toEqual(["/*!40101 SET NAMES utf8 */", "SELECT 1"]);
    expect(r.comments).toEqual([]);
  });

  test("Postgres: # is not a comment, -- always is (even right after a digit)", () => {
    const r = splitStatements("SELECT 1--1;\nSELECT '{}'::jsonb #> '{a}';", "postgres");
    expect(r.statements.map((s) => s.text)).toEqual(["SELECT 1--1;\nSELECT '{}'::jsonb #> '{a}'"]);
    expect(r.comments.map((c) => c.body)).toEqual(["1;"]);
  });

  test("comments inside a statement stay inside it", () => {
    expect(texts("ALTER TABLE t\n  -- why\n  DROP COLUMN c; /* after */")).toEqual([
      "ALTER TABLE t\n  -- why\n  DROP COLUMN c",
    ]);
  });
});

describe("splitStatements: unterminated input", () => {
  test.each([
    ["SELECT 'abc;\nSELECT 2;", "string"],
    ['SELECT "abc;', "identifier"],
    ["SELECT $$ abc;", "dollar-quote"],
    ["SELECT 1; /* never closed; SELECT 2;", "comment"],
    ["CREATE PROCEDURE p() BEGIN SELECT 1;", "body"],
  ])("%j runs to the end and is marked %s", (sql, kind) => {
    const d: Dialect = kind === "body" ? "mysql" : "postgres";
    const r = splitStatements(sql, d);
    const last = r.statements[r.statements.length - 1]!;
    expect(last.unterminated).toBe(kind);
    expect(last.end).toBe(sql.length);
  });
});

describe("splitStatements: locations", () => {
  test("LF, CRLF and lone CR line endings", () => {
    for (const nl of ["\n", "\r\n", "\r"]) {
      const sql = ["-- header", "", "SELECT 1;", "SELECT", "  2;"].join(nl);
      const r = splitStatements(sql, "postgres");
      expect(r.statements.map((s) => [s.startPos.line, s.endPos.line])).toEqual([
        [3, 3],
        [4, 5],
      ]);
      expect(r.statements[1]!.endPos.column).toBe(3);
    }
  });

  test("non-ASCII text: columns count UTF-16 units, offsets are string indexes", () => {
    const sql = "SELECT 'héllo 🚀';\nSELECT 'ß';";
    const r = splitStatements(sql, "postgres");
    expect(r.statements[0]!.text).toBe("SELECT 'héllo 🚀'");
    expect(r.statements[1]!.start).toBe(sql.indexOf("SELECT 'ß'"));
    expect(r.statements[1]!.startPos).toMatchObject({ line: 2, column: 1 });
    expect(r.statements[0]!.endPos.column).toBe("SELECT 'héllo 🚀'".length);
  });

  test("a leading byte-order mark is whitespace", () => {
    expect(texts("\ufeffSELECT 1;")).toEqual(["SELECT 1"]);
  });
});

describe("splitStatements: invariants (property-based)", () => {
  const pieces = [
    "SELECT",
    " ",
    "\n",
    "\r\n",
    "\r",
    ";",
    "'",
    "''",
    '"',
    "`",
    "[",
    "]",
    "$$",
    "$a$",
    "$1",
    "--",
    "-- c\n",
    "#",
    "/*",
    "*/",
    "/*!",
    "E'",
    "\\",
    "BEGIN",
    "END",
    "ATOMIC",
    "CASE",
    "IF",
    "CREATE PROCEDURE p() ",
    "CREATE TRIGGER t ",
    "CREATE FUNCTION f() ",
    "x",
    "é",
    "🚀",
    "(",
    ")",
  ];
  const sqlArb = fc.array(fc.constantFrom(...pieces), { maxLength: 60 }).map((a) => a.join(""));
  const dialects: Dialect[] = ["postgres", "mysql", "sqlite", "cockroachdb", "clickhouse"];

  test("statements are ordered, disjoint, and cover every code character", () => {
    fc.assert(
      fc.property(sqlArb, fc.constantFrom(...dialects), (sql, dialect) => {
        const r = splitStatements(sql, dialect);
        let prevEnd = 0;
        const covered = new Array<boolean>(sql.length).fill(false);
        for (const s of r.statements) {
          expect(s.start).toBeGreaterThanOrEqual(prevEnd);
          expect(s.end).toBeGreaterThan(s.start);
          expect(s.text).toBe(sql.slice(s.start, s.end));
          for (let i = s.start; i < s.end; i++) covered[i] = true;
          prevEnd = s.end;
        }
        for (const c of r.comments) for (let i = c.start; i < c.end; i++) covered[i] = true;
        for (let i = 0; i < sql.length; i++) {
          if (!covered[i]) expect(/[\s;\ufeff]/.test(sql[i]!)).toBe(true);
        }
      }),
      { numRuns: 2000 },
    );
  });

  test("line numbers agree with a naive count", () => {
    fc.assert(
      fc.property(sqlArb, (sql) => {
        const r = splitStatements(sql, "postgres");
        const lineOf = (o: number): number => {
          // The \n of a \r\n pair still belongs to the line the \r ends.
          if (sql[o] === "\n" && sql[o - 1] === "\r") return lineOf(o - 1);
          const before = sql.slice(0, o).replace(/\r\n/g, "\n");
          return (before.match(/[\n\r]/g)?.length ?? 0) + 1;
        };
        for (const s of r.statements) {
          expect(s.startPos.line).toBe(lineOf(s.start));
          expect(s.endPos.line).toBe(lineOf(s.end - 1));
        }
      }),
      { numRuns: 1000 },
    );
  });

  test("a 2 MB file with a long single line splits without trouble", () => {
    const line = "INSERT INTO t VALUES ('x;y', $$z;$$);".repeat(50_000);
    const r = splitStatements(line, "postgres");
    expect(r.statements).toHaveLength(50_000);
    expect(r.statements[49_999]!.endPos.line).toBe(1);
  });
});
