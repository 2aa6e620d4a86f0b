import fc from "fast-check";
import { execCommentPolicy } from "../../../src/core/sql/readings.js";
import { multiStatementPieces, splitStatements } from "../../../src/core/sql/split.js";
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
    "/*!80000 ",
    "/*M!",
    "SET sql_mode = 'ANSI';",
    "SET standard_conforming_strings = off;",
    "SET NAMES gbk;",
    "中",
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
      fc.property(
        sqlArb,
        fc.constantFrom(...dialects),
        fc.boolean(),
        fc.boolean(),
        (sql, dialect, multiStatement, oldServer) => {
          const r = splitStatements(sql, dialect, {
            multiStatement,
            ...(oldServer ? { execComment: execCommentPolicy("5.6") } : {}),
            ...(oldServer
              ? {
                  session: {
                    backslashStrings: dialect !== "mysql",
                    ansiQuotes: true,
                    encoding: "gbk" as const,
                  },
                }
              : {}),
          });
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
        },
      ),
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

describe("splitStatements: x-multi-statement pieces (golang-migrate database/multistmt)", () => {
  test("the file is cut at every ';' byte, inside comments and strings too", () => {
    const sql = "-- stale rows; DELETE FROM users;\nSELECT 'a;b';";
    expect(multiStatementPieces(sql).map((p) => sql.slice(p.start, p.end))).toEqual([
      "-- stale rows;",
      " DELETE FROM users;",
      "\nSELECT 'a;",
      "b';",
    ]);
    const r = splitStatements(sql, "postgres", { multiStatement: true });
    expect(r.statements.map((s) => [s.text, s.startPos.line, s.unterminated])).toEqual([
      ["DELETE FROM users", 1, undefined],
      ["SELECT 'a;", 2, "string"],
      ["b';", 2, "string"], // the ';' is inside the unterminated string
    ]);
    expect(r.comments.map((c) => c.body)).toEqual([" stale rows;"]);
  });

  test("a last piece that is only whitespace (as Go's strings.TrimSpace sees it) is not sent", () => {
    // Every other piece holds its ';' and is sent (an empty query for the server).
    expect(multiStatementPieces("SELECT 1;  \n\t;")).toEqual([
      { start: 0, end: 9 },
      { start: 9, end: 14 },
    ]);
    expect(multiStatementPieces("SELECT 1;  \n\u00a0")).toEqual([{ start: 0, end: 9 }]);
    // U+FEFF is not whitespace for Go: the driver sends it (and the server rejects it).
    expect(multiStatementPieces("SELECT 1;\ufeff")).toEqual([
      { start: 0, end: 9 },
      { start: 9, end: 10 },
    ]);
  });

  test("a body cannot span pieces: BEGIN ATOMIC … END breaks, as on the server", () => {
    const sql = "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;";
    const r = splitStatements(sql, "postgres", { multiStatement: true });
    expect(r.statements.map((s) => [s.text, s.unterminated])).toEqual([
      ["CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1;", "body"],
      ["END", undefined],
    ]);
  });

  test("MySQL and SQLite have no x-multi-statement: the option changes nothing", () => {
    const sql = "-- a; b\nSELECT 1;";
    expect(texts(sql, "mysql")).toEqual(
      splitStatements(sql, "mysql", { multiStatement: true }).statements.map((s) => s.text),
    );
  });
});

describe("splitStatements: read as the server reads", () => {
  test("MySQL: `--` starts a comment before any control character, not before other characters", () => {
    // The comment runs to the newline, so SELECT 1 and SELECT 2 are one statement.
    expect(texts("SELECT 1 --\u0001x; DROP TABLE a;\nSELECT 2;", "mysql")).toEqual([
      "SELECT 1 --\u0001x; DROP TABLE a;\nSELECT 2",
    ]);
    expect(texts("SELECT 1 --\ufeffx; DROP TABLE a;", "mysql")).toEqual([
      "SELECT 1 --\ufeffx",
      "DROP TABLE a",
    ]);
    expect(texts("SELECT 1 --", "mysql")).toEqual(["SELECT 1"]);
  });

  test("MySQL and SQLite line comments end at \\n only; Postgres's at \\r too", () => {
    expect(texts("SELECT 1; -- x\rDROP TABLE a;\nSELECT 2;", "mysql")).toEqual([
      "SELECT 1",
      "SELECT 2",
    ]);
    expect(texts("SELECT 1; -- x\rDROP TABLE a;\nSELECT 2;", "sqlite")).toEqual([
      "SELECT 1",
      "SELECT 2",
    ]);
    expect(texts("SELECT 1; -- x\rDROP TABLE a;\nSELECT 2;")).toEqual([
      "SELECT 1",
      "DROP TABLE a",
      "SELECT 2",
    ]);
  });

  test("MySQL executable comments: code when the server version runs them, markers blanked for parsers", () => {
    const sql = "/*!50000 DROP TABLE a */;\n/*!80099 DROP TABLE b */;\n/*M!100500 DROP TABLE c */;";
    const all = splitStatements(sql, "mysql").statements;
    expect(all.map((s) => s.parserText)).toEqual([
      "         DROP TABLE a   ",
      "         DROP TABLE b   ",
      "           DROP TABLE c   ",
    ]);
    const mysql8 = splitStatements(sql, "mysql", { execComment: execCommentPolicy("8.0.32") });
    expect(mysql8.statements.map((s) => s.parserText?.trim())).toEqual(["DROP TABLE a"]);
    expect(mysql8.comments).toHaveLength(2);
    const maria = splitStatements(sql, "mysql", { execComment: execCommentPolicy("10.11") });
    expect(maria.statements.map((s) => s.parserText?.trim())).toEqual([
      "DROP TABLE a",
      "DROP TABLE b",
      "DROP TABLE c",
    ]);
  });

  test("a statement can start inside an executable comment and end after it", () => {
    const r = splitStatements("SELECT /*!STRAIGHT_JOIN*/ a FROM t;", "mysql");
    expect(r.statements.map((s) => s.parserText)).toEqual(["SELECT    STRAIGHT_JOIN   a FROM t"]);
  });

  test("MySQL: SET sql_mode changes how the rest of the file is read", () => {
    const sql = "SET sql_mode = 'NO_BACKSLASH_ESCAPES';\nSELECT 'a\\'; DELETE FROM users; -- ';";
    expect(texts(sql, "mysql")).toEqual([
      "SET sql_mode = 'NO_BACKSLASH_ESCAPES'",
      "SELECT 'a\\'",
      "DELETE FROM users",
    ]);
    // Parsers assume backslash escapes: the string they get reads the same either way.
    expect(splitStatements(sql, "mysql").statements[1]!.parserText).toBe("SELECT 'xx'");
    expect(texts('SET sql_mode = \'ANSI\'; SELECT "a\\"; DROP TABLE t; -- ";', "mysql")).toEqual([
      "SET sql_mode = 'ANSI'",
      'SELECT "a\\"',
      "DROP TABLE t",
    ]);
  });

  test("MySQL: SET NAMES gbk makes a backslash part of the character before it", () => {
    const sql = "SET NAMES gbk; SELECT '\u4e2d\\'; DROP TABLE users; -- ';";
    expect(texts(sql, "mysql")).toEqual(["SET NAMES gbk", "SELECT '\u4e2d\\'", "DROP TABLE users"]);
  });

  test("Postgres: a SET does not change how its own query is read, only the next piece", () => {
    const sql = "SET standard_conforming_strings = off; SELECT 'a\\'; DELETE FROM users; -- ';";
    expect(texts(sql)).toEqual([
      "SET standard_conforming_strings = off",
      "SELECT 'a\\'",
      "DELETE FROM users",
    ]);
    expect(
      splitStatements(sql, "postgres", { multiStatement: true }).statements.map((s) => s.text),
    ).toEqual(["SET standard_conforming_strings = off", "SELECT 'a\\';", "DELETE FROM users"]);
    // …and reports how the session reads SQL afterwards, for the next file.
    expect(
      splitStatements("SET standard_conforming_strings = off;", "postgres").sessionAfter,
    ).toEqual({
      backslashStrings: true,
      ansiQuotes: false,
      encoding: null,
    });
    // Undone when its transaction rolls back.
    expect(
      splitStatements("BEGIN; SET standard_conforming_strings = off; ROLLBACK;", "postgres")
        .sessionAfter.backslashStrings,
    ).toBe(false);
  });

  test("Postgres CREATE RULE actions keep their ';' inside parentheses", () => {
    expect(
      texts(
        "CREATE RULE r AS ON INSERT TO t DO ALSO (DELETE FROM u; INSERT INTO l VALUES (1));\nSELECT 1;",
      ),
    ).toEqual([
      "CREATE RULE r AS ON INSERT TO t DO ALSO (DELETE FROM u; INSERT INTO l VALUES (1))",
      "SELECT 1",
    ]);
    // Elsewhere an unbalanced parenthesis does not swallow the next statements.
    expect(texts("SELECT (1;\nDROP TABLE t;")).toEqual(["SELECT (1", "DROP TABLE t"]);
  });
});

describe("splitStatements: routine bodies follow MySQL's grammar", () => {
  const cases: Array<[string, string]> = [
    ["a single-statement body naming a column begin", "CREATE PROCEDURE p() SELECT begin FROM t"],
    [
      "a trigger setting NEW.begin and NEW.end",
      "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.begin = 1; SET NEW.end = 2; END",
    ],
    [
      "a function with characteristics and RETURNS type options",
      "CREATE FUNCTION f(x INT) RETURNS VARCHAR(10) CHARSET utf8mb4 DETERMINISTIC READS SQL DATA COMMENT 'x' BEGIN RETURN 'a'; END",
    ],
    [
      "a handler with a BEGIN … END body",
      "CREATE PROCEDURE p() BEGIN DECLARE EXIT HANDLER FOR SQLSTATE '23000', NOT FOUND BEGIN ROLLBACK; END; SELECT 1; END",
    ],
    [
      "REPEAT … UNTIL … END REPEAT and labels",
      "CREATE PROCEDURE p() main: BEGIN l: REPEAT SET @a = @a + 1; UNTIL @a > 3 END REPEAT l; LEAVE main; END main",
    ],
    [
      "a CASE expression whose END is not a block's",
      "CREATE PROCEDURE p() BEGIN SELECT CASE WHEN 1 THEN begin ELSE 2 END FROM t; END",
    ],
    [
      "an event body",
      "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM logs WHERE at < now(); END",
    ],
    ["MariaDB BEGIN NOT ATOMIC", "BEGIN NOT ATOMIC DELETE FROM a; DELETE FROM b; END"],
    ["MariaDB IF outside a routine", "IF 1 = 1 THEN DELETE FROM a; END IF"],
  ];
  test.each(cases)("%s", (_name, body) => {
    expect(texts(`${body};\nDROP TABLE after;`, "mysql")).toEqual([body, "DROP TABLE after"]);
  });

  test("BEGIN on its own is a transaction, not a block", () => {
    expect(texts("BEGIN;\nDELETE FROM a;\nCOMMIT;", "mysql")).toEqual([
      "BEGIN",
      "DELETE FROM a",
      "COMMIT",
    ]);
  });

  test("SQLite: end as a column inside a trigger does not end it", () => {
    const trig =
      "CREATE TRIGGER t AFTER UPDATE ON x BEGIN UPDATE x SET end = 1 WHERE id = new.id; END";
    expect(texts(`${trig};\nSELECT 2;`, "sqlite")).toEqual([trig, "SELECT 2"]);
  });
});
