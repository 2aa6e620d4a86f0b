import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("dml-without-where", {
  valid: [
    {
      merged: { "1_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);" },
      code: "DELETE FROM users WHERE email IS NOT NULL;",
    },
    {
      name: "IS NOT NULL without the merged schema: a filter",
      code: "DELETE FROM users WHERE id IS NOT NULL;",
    },
    {
      dialect: "sqlite",
      merged: { "1_init.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text);" },
      code: "DELETE FROM users WHERE id IS NOT NULL AND email = 'x';",
    },
    { dialect: "mysql", code: "DELETE FROM users WHERE email IS NULL OR id > 100;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id IN (SELECT id FROM users LIMIT 5);" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE random() = random() + id;" },
    { code: "ALTER TABLE t DELETE WHERE id = 5;", dialect: "clickhouse" },
    { code: "ALTER TABLE t UPDATE a = 1, b = 2 WHERE d < today() - 30;", dialect: "clickhouse" },
    { code: "DELETE FROM t WHERE x = 1 OR 0;", dialect: "clickhouse" },
    {
      code: "CREATE TABLE t (id UInt64) ENGINE = MergeTree ORDER BY id; ALTER TABLE t DELETE WHERE 1;",
      dialect: "clickhouse",
    },
    { code: "DELETE FROM t WHERE created_at < now() - interval '1 year';" },
    { code: "UPDATE t SET a = 1 WHERE id IN (SELECT id FROM u);" },
    { code: "INSERT INTO t SELECT * FROM u;" },
    {
      name: "backfilling a table created in the same file",
      code: "CREATE TABLE t (id int, a int);\nINSERT INTO t SELECT id, 0 FROM u;\nUPDATE t SET a = 1;",
    },
    { code: "DELETE FROM t WHERE id = 1;", dialect: "mysql" },
    { code: "UPDATE t SET a = 1 WHERE id = 2;", dialect: "sqlite" },
    // Honest conditions stay honest: a boolean column, a negation, a correlated subquery…
    { code: "DELETE FROM t WHERE archived;" },
    { code: "DELETE FROM t WHERE NOT active OR 1 = 0;" },
    // UPDATE t … FROM u WHERE u.id = t.id is a full-table backfill now (invalid below).
    { code: "DELETE FROM t x WHERE EXISTS (SELECT 1 FROM u WHERE u.id = x.id);" },
    { code: "PREPARE p(int) AS DELETE FROM t WHERE id = $1;\nEXECUTE p(1);" },
    { code: "DELETE FROM t WHERE status = 'gone' AND true;" },
    {
      code: "WITH old AS (SELECT id FROM t WHERE created < now()) DELETE FROM t WHERE id IN (SELECT id FROM old);",
    },
    { code: "MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE;" },
    { code: "DELETE FROM t WHERE id IN (1, 2) OR 'a' = 'b';", dialect: "mysql" },
    { code: "UPDATE t SET a = 1 WHERE t.id = 1 AND 1;", dialect: "sqlite" },
    {
      name: "a DO block whose DELETE filters",
      code: "DO $$ BEGIN DELETE FROM t WHERE id < 10; END $$;",
    },
    {
      name: "a function created but never called is application code",
      code: "CREATE FUNCTION purge() RETURNS void LANGUAGE sql AS 'DELETE FROM t';",
    },
    // Filters that look like the tautologies below but select some rows.
    { code: "UPDATE t SET a = s.a FROM (SELECT 1 AS id, 2 AS a) s WHERE t.id = s.id;" },
    { code: "DELETE FROM t WHERE id IN (SELECT id FROM t WHERE created < now());" },
    { code: "DELETE FROM t WHERE id IN (SELECT parent_id FROM t);" },
    { code: "DELETE FROM t WHERE id > 0 OR id < 0;" },
    { code: "DELETE FROM t WHERE a IS NULL OR b IS NOT NULL;" },
    { code: "DELETE FROM t x WHERE EXISTS (SELECT 1 FROM t y WHERE y.parent_id = x.id);" },
    { code: "DELETE FROM t WHERE email IS NOT NULL;" },
    { code: "INSERT INTO t SELECT * FROM u ON CONFLICT (id) DO UPDATE SET a = excluded.a;" },
    {
      code: "INSERT INTO t (id) SELECT id FROM t WHERE id < 10 ON CONFLICT (id) DO UPDATE SET a = 1;",
    },
    { code: "MERGE INTO t USING t s ON t.id = s.parent_id WHEN MATCHED THEN DELETE;" },
    {
      name: "a trigger on an existing table whose function filters its rows",
      code: "CREATE FUNCTION tidy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM carts WHERE user_id = OLD.id; RETURN OLD; END $$;\nCREATE TRIGGER tidy AFTER DELETE ON users FOR EACH ROW EXECUTE FUNCTION tidy();",
    },
    {
      name: "an operator over a function that filters",
      code: "CREATE FUNCTION eq(a int, b int) RETURNS bool LANGUAGE sql AS 'SELECT a = b';\nCREATE OPERATOR === (leftarg = int, rightarg = int, function = eq);",
    },
    {
      name: "CREATE OR REPLACE of a routine whose body filters",
      code: "CREATE OR REPLACE FUNCTION purge() RETURNS void LANGUAGE sql AS 'DELETE FROM t WHERE id < 10';",
    },
    {
      name: "UPDATE … FROM that also filters the target's rows",
      code: "UPDATE orders o SET name = c.name FROM customers c WHERE o.customer_id = c.id AND o.id < 1000;",
    },
    {
      name: "UPDATE … FROM comparing unqualified names is not read as a join",
      code: "UPDATE orders SET name = c.name FROM customers c WHERE customer_id = legacy_id;",
    },
    {
      name: "UPDATE … FROM a subquery (a list of rows to fix) is a filter: not provably every row",
      code: "UPDATE t SET a = s.a FROM (SELECT id, a FROM fixes) s WHERE t.id = s.id;",
    },
    {
      name: "DELETE … USING a join is a real filter (a semi-join: only rows with a partner)",
      code: "DELETE FROM sessions s USING banned b WHERE s.user_id = b.user_id;",
    },
    {
      name: "a join-only backfill of a table created in the same change",
      files: {
        "2_a.up.sql": "CREATE TABLE orders2 (id bigint, customer_id bigint, name text);",
        "3_b.up.sql":
          "UPDATE orders2 o SET name = c.name FROM customers c WHERE o.customer_id = c.id;",
      },
    },
    {
      name: "a non-equality between the row and the FROM side filters",
      code: "UPDATE t SET a = s.a FROM s WHERE t.id > s.id;",
    },
    // Arithmetic that does depend on the row, or on a volatile call.
    { code: "DELETE FROM users WHERE id * 2 = id;" },
    { code: "DELETE FROM users WHERE id <> id + 0;" },
    { code: "DELETE FROM users WHERE NOT (id = id);" },
    { code: "DELETE FROM users WHERE id BETWEEN id + 1 AND id + 2;" },
    { code: "DELETE FROM users WHERE id NOT BETWEEN id - 1 AND id + 1;" },
    { code: "DELETE FROM users WHERE greatest(id, 5) = id;" },
    { code: "DELETE FROM users WHERE id = random() * 0 + id;" },
    { code: "DELETE FROM users WHERE id = clock_timestamp() - clock_timestamp() + id;" },
    { code: "DELETE FROM users WHERE myschema.f(id) = myschema.f(id);" },
    { code: "DELETE FROM users WHERE NOT (id > 5 OR email IS NULL);" },
    { code: "DELETE FROM users WHERE id + 1 = 5;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id * 2 = id;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE NOT (id = id);" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id IN (1, id + 1);" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id = RAND() * 0 + id;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id NOT BETWEEN id - 1 AND id + 1;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id * 2 = id;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE NOT (id = id);" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id IN (1, id + 1);" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id = random() * 0 + id;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id NOT BETWEEN id - 1 AND id + 1;" },
    // Subqueries that may return rows (an aggregate returns one even WHERE false), CASEs that differ.
    { code: "DELETE FROM users WHERE id NOT IN (SELECT max(user_id) FROM orders WHERE false);" },
    { code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE user_id = 1);" },
    { code: "DELETE FROM users WHERE id IN (SELECT user_id FROM orders WHERE false);" },
    { code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END = 1;" },
    { code: "DELETE FROM users WHERE id - id = 1;" },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id NOT IN (SELECT max(user_id) FROM orders WHERE false);",
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE user_id = 1);",
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id IN (SELECT user_id FROM orders WHERE false);",
    },
    { dialect: "mysql", code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END = 1;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id - id = 1;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE id - id;" },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id NOT IN (SELECT max(user_id) FROM orders WHERE false);",
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE user_id = 1);",
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id IN (SELECT user_id FROM orders WHERE false);",
    },
    { dialect: "sqlite", code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN 1 ELSE 0 END = 1;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id - id = 1;" },
    { dialect: "sqlite", code: "DELETE FROM users WHERE id - id;" },
    // LIKE with a real pattern, and NOT LIKE '%' (never true).
    { code: "DELETE FROM users WHERE email LIKE '%@x' OR email IS NULL;" },
    { code: "DELETE FROM users WHERE NOT (email LIKE '%') OR email IS NOT NULL;" },
    { dialect: "mysql", code: "DELETE FROM users WHERE email LIKE '%@x' OR email IS NULL;" },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE NOT (email LIKE '%') OR email IS NOT NULL;",
    },
    { dialect: "sqlite", code: "DELETE FROM users WHERE email LIKE '%@x' OR email IS NULL;" },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE NOT (email LIKE '%') OR email IS NOT NULL;",
    },
    { dialect: "sqlite", code: "UPDATE OR ROLLBACK users SET email = NULL WHERE id = 1;" },
    { code: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE id + 1 = 5);" },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id FROM users WHERE id > 5) x);",
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE NOT (id = id));",
    },
  ],
  invalid: [
    {
      name: "IS NOT NULL of the primary key (merged schema)",
      merged: { "1_init.up.sql": "CREATE TABLE users (id bigint PRIMARY KEY, email text);" },
      code: "DELETE FROM users WHERE id IS NOT NULL;",
      errors: [
        {
          line: 1,
          message:
            /only asks that id IS NOT NULL, and it is a NOT NULL column \(decided from the merged history\)/,
        },
      ],
    },
    {
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE users (id bigint NOT NULL, email text);" },
      code: "UPDATE users SET email = NULL WHERE email = 'x' OR id IS NOT NULL;",
      errors: [{ line: 1, message: /only asks that id IS NOT NULL/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE rowid IS NOT NULL;",
      errors: [{ line: 1, message: /system column rowid, which is never NULL/ }],
    },
    {
      dialect: "mysql",
      code: "UPDATE users SET email = NULL WHERE email IS NULL OR email IS NOT NULL;",
      errors: [{ line: 1, message: /a condition and its opposite/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE COALESCE(email, 1) = COALESCE(email, 1);",
      errors: [{ line: 1, message: /compares a value with itself/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id IN (SELECT id FROM users);",
      errors: [{ line: 1, message: /among the id values of users itself/ }],
    },
    {
      code: "UPDATE t SET a = u.a FROM u WHERE u.id = t.id;",
      errors: [{ line: 1, message: /only joins/ }],
    },
    {
      name: "UPDATE … FROM whose WHERE only joins: a full-table backfill",
      code: "UPDATE orders o\nSET customer_name = c.name\nFROM customers c\nWHERE o.customer_id = c.id;",
      errors: [
        {
          line: 1,
          endLine: 4,
          message:
            /full-table backfill: its WHERE clause only joins .*\(o\.customer_id = c\.id\).*new version of each/,
        },
      ],
    },
    {
      name: "attacker: joins plus filters on the FROM side only, quoted and schema-qualified, JOIN syntax",
      code: 'UPDATE "App".orders AS o SET n = x.n FROM app.src x JOIN app.flags f ON f.id = x.flag WHERE x.id = o.id AND f.on AND (o.kind = x.kind);',
      errors: [{ line: 1, message: /only joins .*x\.id = o\.id AND o\.kind = x\.kind/ }],
    },
    {
      name: "attacker: a join written backwards with a comment in between",
      code: "UPDATE t SET a = u.a FROM u /* all rows */ WHERE (u.id) = t.id AND true;",
      errors: [{ line: 1 }],
    },
    {
      name: "Postgres in x-multi-statement mode: locks until the statement ends",
      multiStatement: true,
      code: "UPDATE users SET active = true;",
      errors: [{ line: 1, message: /until the statement ends/ }],
    },
    {
      name: "SQLite: the database file is locked, not rows",
      dialect: "sqlite",
      code: "UPDATE users SET active = 1;",
      errors: [
        { line: 1, message: /write lock on the whole database file until the migration commits/ },
      ],
    },
    {
      name: "MySQL: InnoDB row locks",
      dialect: "mysql",
      code: "UPDATE users SET active = 1 WHERE 1 = 1;",
      errors: [{ line: 1, message: /InnoDB locks every row it scans/ }],
    },
    {
      code: "DELETE FROM sessions;",
      errors: [{ line: 1, message: /removes every row of sessions/ }],
    },
    {
      code: "UPDATE users\nSET active = true;",
      errors: [{ line: 1, endLine: 2, message: /rewrites every row of users/ }],
    },
    {
      name: "a WHERE inside a subquery is not the statement's WHERE",
      code: "UPDATE t SET a = (SELECT max(x) FROM u WHERE u.id = 1);",
      errors: [{ line: 1 }],
    },
    { code: "DELETE FROM `t`;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "UPDATE t SET a = 1 LIMIT 10;", dialect: "mysql", errors: [{ line: 1 }] },
    { code: "DELETE FROM t;", dialect: "sqlite", errors: [{ line: 1 }] },
    {
      name: "SQLite: a whole-table DML behind a CTE (once a parse error) is read",
      code: 'WITH RECURSIVE\n  k(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM k WHERE x < 3)\nUPDATE "Users" SET a = (SELECT max(x) FROM k);',
      dialect: "sqlite",
      errors: [{ line: 1, endLine: 3 }],
    },
    {
      code: "WITH c AS (SELECT 1) DELETE FROM main.t WHERE name NOT GLOB 'x*' OR 1;",
      dialect: "sqlite",
      errors: [{ line: 1 }],
    },
    { code: "UPDATE t SET a = 1;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    // ClickHouse: DELETE/UPDATE always have a WHERE; one that filters in name only.
    { code: "ALTER TABLE t DELETE WHERE 1;", dialect: "clickhouse", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t ON CLUSTER c UPDATE a = 1, b = b WHERE a = a;",
      dialect: "clickhouse",
      errors: [{ line: 1 }],
    },
    { code: "DELETE FROM db.t WHERE (1 = 1);", dialect: "clickhouse", errors: [{ line: 1 }] },
    { code: "DELETE FROM t WHERE x > 3 OR true;", dialect: "clickhouse", errors: [{ line: 1 }] },
    // Conditions that are always true (issue 11, item 5).
    ...[
      "WHERE true",
      "WHERE 1 = 1",
      "WHERE 't'",
      "WHERE 'a' = 'a'",
      "WHERE NOT false",
      "WHERE id = 5 OR true",
      "WHERE id = id",
      "WHERE 1::boolean",
      "WHERE EXISTS (SELECT 1)",
      "WHERE (SELECT count(*) FROM admins) > 0",
      "WHERE NULL IS NULL",
    ].map((where) => ({
      code: `DELETE FROM users ${where};`,
      errors: [{ line: 1, message: /filtered in name only/ }],
    })),
    ...["WHERE 1", "WHERE 1 = 1", "WHERE TRUE", "WHERE 'a' = 'A'", "WHERE id = id OR 0"].map(
      (where) => ({
        code: `DELETE FROM users ${where};`,
        dialect: "mysql" as const,
        errors: [{ line: 1, message: /filtered in name only/ }],
      }),
    ),
    {
      code: "UPDATE users SET a = 1 WHERE 2 > 1;",
      dialect: "sqlite",
      errors: [{ line: 1, message: /always true/ }],
    },
    {
      name: "UPDATE … FROM whose condition never mentions the target",
      code: "UPDATE users SET a = 1 FROM flags WHERE flags.on;",
      errors: [{ line: 1, message: /does not refer to the table's rows/ }],
    },
    // Statements inside other statements.
    {
      name: "a data-modifying CTE",
      code: "WITH d AS (DELETE FROM users RETURNING id)\nSELECT count(*) FROM d;",
      errors: [{ line: 1, message: /runs inside a WITH clause/ }],
    },
    {
      name: "a nested data-modifying CTE",
      code: "WITH a AS (\n  WITH b AS (UPDATE users SET x = 1 RETURNING id) SELECT * FROM b\n) INSERT INTO log SELECT id FROM a;",
      errors: [{ line: 2 }],
    },
    {
      name: "MERGE … WHEN MATCHED THEN DELETE on a constant join",
      code: "MERGE INTO users u USING (SELECT 1) s ON true\nWHEN MATCHED THEN DELETE;",
      errors: [{ line: 1, endLine: 2, message: /MERGE action WHEN MATCHED THEN DELETE/ }],
    },
    {
      name: "MERGE … WHEN MATCHED THEN UPDATE on a constant join",
      code: "MERGE INTO users u USING (SELECT 1) s ON true\nWHEN MATCHED THEN UPDATE SET email = NULL;",
      errors: [{ line: 1, endLine: 2, message: /MERGE action WHEN MATCHED THEN UPDATE/ }],
    },
    {
      name: "MERGE … WHEN NOT MATCHED BY SOURCE THEN DELETE",
      code: "MERGE INTO users u USING keep s ON u.id = s.id WHEN NOT MATCHED BY SOURCE THEN DELETE;",
      errors: [{ line: 1, message: /no match in the source/ }],
    },
    {
      name: "PREPARE … AS DELETE, then EXECUTE",
      code: "PREPARE p AS DELETE FROM users;\nEXECUTE p;",
      errors: [{ line: 1, message: /prepared statement p/ }],
    },
    {
      name: "EXPLAIN ANALYZE runs the statement",
      code: "EXPLAIN (ANALYZE) DELETE FROM users;",
      errors: [{ line: 1, message: /EXPLAIN ANALYZE/ }],
    },
    {
      name: "a rule action",
      code: "CREATE RULE r AS ON INSERT TO t DO ALSO (DELETE FROM users; INSERT INTO log VALUES (1));",
      errors: [{ line: 1, message: /rule r/ }],
    },
    {
      name: "inside a DO block, only when there are rows (the sandbox's tables are empty)",
      code: "DO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    DELETE FROM users;\n  END IF;\nEND $$;",
      errors: [{ line: 4, message: /inside the DO block\. It runs only when a condition/ }],
    },
    {
      name: "a finding inside a DO block is suppressed by a comment above the block, and stays visible",
      code: "-- migration-warden:ignore dml-without-where -- purges the demo tenant only (OPS-9)\nDO $$\nBEGIN\n  DELETE FROM demo_rows;\nEND $$;",
      errors: [{ line: 4, suppressed: true }],
    },
    {
      name: "EXECUTE of a constant string in a DO block",
      code: "DO $$ BEGIN EXECUTE 'DELETE FROM ' || 'users'; END $$;",
      errors: [{ line: 1, message: /through EXECUTE/ }],
    },
    {
      name: "EXECUTE format() of constants in a DO block with $q$ quoting",
      code: "DO $do$\nBEGIN\n  EXECUTE format($q$UPDATE %I SET a = 1$q$, 'users');\nEND $do$;",
      errors: [{ line: 3 }],
    },
    {
      name: "a DO body in E'' quoting",
      code: "DO E'BEGIN DELETE FROM users; END';",
      errors: [{ line: 1 }],
    },
    {
      name: "a function created and called in the migration",
      code: "CREATE FUNCTION purge() RETURNS void LANGUAGE plpgsql AS $$\nBEGIN\n  DELETE FROM users;\nEND $$;\nSELECT purge();",
      errors: [{ line: 3, message: /when purge\(\) is called on line 5/ }],
    },
    {
      name: "a function created in the migration, called from a RAISE's parameters, only when rows exist",
      code: "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$;\nDO $$\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    RAISE NOTICE 'purged %', purge();\n  END IF;\nEND $$;",
      errors: [{ line: 1, message: /when purge\(\) is called on line 5\b/ }],
    },
    {
      name: "a function created in the migration, called from EXECUTE … USING",
      code: "CREATE FUNCTION purge() RETURNS int LANGUAGE sql AS $$ DELETE FROM users RETURNING 1 $$;\nDO $$ BEGIN EXECUTE 'SELECT $1' USING purge(); END $$;",
      errors: [{ line: 1, message: /when purge\(\) is called on line 2/ }],
    },
    {
      name: "a procedure called by CALL, through another function",
      code: "CREATE PROCEDURE p() LANGUAGE sql AS $$ DELETE FROM users $$;\nCREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN CALL p(); END $$;\nSELECT 1 FROM (SELECT f()) x;",
      errors: [{ line: 1 }],
    },
    {
      name: "a BEGIN ATOMIC body",
      code: "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC\n  DELETE FROM users;\n  SELECT 1;\nEND;\nSELECT f();",
      errors: [{ line: 2 }],
    },
    {
      name: "a trigger the migration creates fires on its own INSERT",
      code: "CREATE FUNCTION wipe() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN NEW; END $$;\nCREATE TRIGGER t AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION wipe();\nINSERT INTO events VALUES (1);",
      errors: [{ line: 1, message: /trigger t/ }],
    },
    {
      name: "a function the change creates, called by a column default when rows are inserted",
      code: "CREATE FUNCTION d() RETURNS int LANGUAGE sql AS 'DELETE FROM users RETURNING 1';\nCREATE TABLE x (a int DEFAULT d());\nINSERT INTO x DEFAULT VALUES;",
      errors: [{ line: 1, message: /when d\(\) is called on line 2/ }],
    },
    {
      name: "MySQL: a stored function called in a SELECT",
      dialect: "mysql",
      code: "CREATE FUNCTION f() RETURNS INT BEGIN DELETE FROM users; RETURN 1; END;\nSELECT f();",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL: a stored function called from SET",
      dialect: "mysql",
      code: "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\nSET @x = wipe();",
      errors: [{ line: 1, message: /when wipe\(\) is called on line 2/ }],
    },
    {
      name: "MySQL: a stored function called from DO (SELECT that discards its result)",
      dialect: "mysql",
      code: "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\nDO 1, wipe();",
      errors: [{ line: 1, message: /when wipe\(\) is called on line 2/ }],
    },
    {
      name: "MySQL: DO inside a called procedure",
      dialect: "mysql",
      code: "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\nCREATE PROCEDURE p() BEGIN\n  DO (SELECT wipe());\nEND;\nCALL p();",
      errors: [{ line: 1, message: /when wipe\(\) is called on line 3/ }],
    },
    {
      name: "MySQL: a stored function called from CREATE TABLE … AS SELECT",
      dialect: "mysql",
      code: "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\nCREATE TABLE t2 AS SELECT wipe() AS a;",
      errors: [{ line: 1, message: /when wipe\(\) is called on line 2/ }],
    },
    {
      name: "MySQL: a stored function called from a DECLARE default and an IF condition of a called procedure",
      dialect: "mysql",
      code: "CREATE FUNCTION wipe() RETURNS INT MODIFIES SQL DATA BEGIN DELETE FROM users; RETURN 1; END;\nCREATE PROCEDURE p() BEGIN\n  DECLARE x INT DEFAULT wipe();\n  IF wipe() > 0 THEN SELECT 1; END IF;\nEND;\nCALL p();",
      errors: [{ line: 1, message: /when wipe\(\) is called on line 3/ }],
    },
    {
      name: "MySQL: an event scheduled by the migration",
      dialect: "mysql",
      code: "CREATE EVENT e ON SCHEDULE AT CURRENT_TIMESTAMP DO DELETE FROM users;",
      errors: [{ line: 1, message: /schedule of event e/ }],
    },
    {
      name: "CREATE TABLE IF NOT EXISTS does not make an existing table new",
      code: "CREATE TABLE IF NOT EXISTS users (id int);\nDELETE FROM users;",
      errors: [{ line: 2 }],
    },
    {
      name: "MySQL procedure called by the migration, conditional",
      dialect: "mysql",
      code: "CREATE PROCEDURE p() BEGIN\n  IF (SELECT COUNT(*) FROM users) > 0 THEN DELETE FROM users; END IF;\nEND;\nCALL p();",
      errors: [{ line: 2, message: /inside the body of p\(\)/ }],
    },
    {
      name: "MySQL PREPARE FROM a literal",
      dialect: "mysql",
      code: "PREPARE s FROM 'DELETE FROM users';\nEXECUTE s;",
      errors: [{ line: 1 }],
    },
    {
      name: "MariaDB compound statement outside a routine",
      dialect: "mysql",
      code: "BEGIN NOT ATOMIC\n  UPDATE users SET a = 1;\nEND;",
      errors: [{ line: 2 }],
    },
    {
      name: "MySQL trigger fired by the migration's own INSERT",
      dialect: "mysql",
      code: "CREATE TRIGGER t AFTER INSERT ON events FOR EACH ROW DELETE FROM users;\nINSERT INTO events VALUES (1);",
      errors: [{ line: 1 }],
    },
    {
      name: "a trigger on an existing table whose function deletes every row: fires after the deploy",
      code: "CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN NULL; END $$;\nCREATE TRIGGER audit AFTER INSERT ON orders FOR EACH STATEMENT EXECUTE FUNCTION audit();",
      errors: [{ line: 1, message: /every later write to orders \(trigger audit\)/ }],
    },
    {
      name: "CREATE OR REPLACE of a routine the change did not create: what uses it runs the new body",
      code: "CREATE OR REPLACE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN NULL; END $$;",
      errors: [{ line: 1, message: /replaces audit\(\), which may already exist/ }],
    },
    ...[
      "DELETE FROM users WHERE id IN (SELECT id FROM users);",
      "DELETE FROM users WHERE ctid IS NOT NULL;",
      "UPDATE users SET email = NULL FROM (SELECT 1 AS k) s WHERE k = 1;",
      "DELETE FROM users u WHERE EXISTS (SELECT 1 FROM users v WHERE v.id = u.id);",
      "DELETE FROM users WHERE id > 0 OR id <= 0;",
      "DELETE FROM users WHERE id IS NULL OR id IS NOT NULL;",
      "INSERT INTO users (id) SELECT id FROM users ON CONFLICT (id) DO UPDATE SET email = NULL;",
      "MERGE INTO users u USING users s ON u.id = s.id WHEN MATCHED THEN DELETE;",
    ].map((code) => ({
      name: `filtered in name only: ${code}`,
      code,
      errors: [{ line: 1, message: /filtered in name only/ }],
    })),
    {
      name: "a write to the system catalog",
      code: "UPDATE pg_catalog.pg_attribute SET attisdropped = true WHERE attrelid = 'users'::regclass AND attname = 'email';",
      errors: [{ line: 1, message: /system catalog pg_catalog\.pg_attribute/ }],
    },
    {
      name: "a function the change runs through CREATE OPERATOR",
      code: "CREATE FUNCTION wipe(a int, b int) RETURNS bool LANGUAGE plpgsql AS $$ BEGIN DELETE FROM users; RETURN true; END $$;\nCREATE OPERATOR === (leftarg = int, rightarg = int, function = wipe);\nSELECT 1 === 2;",
      errors: [{ line: 1, message: /wipe\(\) is called on line 2/ }],
    },
    {
      name: "a function the change runs through CREATE CAST … WITH FUNCTION",
      code: "CREATE TYPE mood AS ENUM ('ok');\nCREATE FUNCTION wipe(m mood) RETURNS int LANGUAGE sql AS 'DELETE FROM users RETURNING 1';\nCREATE CAST (mood AS int) WITH FUNCTION wipe(mood);",
      errors: [{ line: 2, message: /wipe\(\) is called on line 3/ }],
    },
    {
      name: "a function the change runs as an aggregate's state function",
      code: "CREATE FUNCTION s(a int, b int) RETURNS int LANGUAGE sql AS 'UPDATE users SET email = NULL RETURNING 1';\nCREATE AGGREGATE agg(int) (sfunc = s, stype = int);",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL trigger on an existing table, never fired by the migration",
      dialect: "mysql",
      code: "CREATE TRIGGER t AFTER INSERT ON events FOR EACH ROW DELETE FROM users;",
      errors: [{ line: 1, message: /every later write to events/ }],
    },
    {
      name: "SQLite trigger fired by the migration's own INSERT",
      dialect: "sqlite",
      code: "CREATE TRIGGER t AFTER INSERT ON events BEGIN\n  DELETE FROM users;\nEND;\nINSERT INTO events VALUES (1);",
      errors: [{ line: 2 }],
    },
    // Tautologies in disguise: NOT over a comparison, sides differing by a constant.
    {
      code: "DELETE FROM users WHERE NOT (id <> id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id = id + 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id - id = 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE coalesce(id, 0) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE greatest(id, id) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    { code: "DELETE FROM users WHERE id * 0 = 0;", errors: [{ line: 1, message: /WHERE clause/ }] },
    {
      code: "DELETE FROM users WHERE id + 1 > id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    { code: "DELETE FROM users WHERE id IN (id);", errors: [{ line: 1, message: /WHERE clause/ }] },
    {
      code: "DELETE FROM users WHERE id = ANY(ARRAY[id]);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id BETWEEN id AND id + 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id NOT BETWEEN id + 1 AND id + 2;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: 'DELETE FROM users WHERE id = id COLLATE "C";',
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE lower(email) = lower(email);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE NOT (id = 1 AND id <> 1);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE NOT (id > 1) OR id > 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE -id + 2 * id = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE NOT NOT (email = email);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id IS DISTINCT FROM id + 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE NOT (id <> id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id = id + 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id - id = 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE IFNULL(id, 0) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id * 0 = 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id + 1 > id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id IN (id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE !(id = 1 AND id <> 1);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id NOT BETWEEN id + 1 AND id - 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id = id COLLATE utf8mb4_bin;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE GREATEST(id, id) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE NOT (id <> id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE id = id + 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE coalesce(id, 0) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE max(id, id) = id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE id IS id + 0;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE id + 1 > id;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE id IN (id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE NOT (id = 1 AND id <> 1);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE id = id COLLATE NOCASE;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    // NOT IN a subquery that returns no row; CASE of equal results; (SELECT x); coalesce(NULL, x).
    {
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE 1 = 0);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id <> ALL (SELECT user_id FROM orders WHERE false);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders LIMIT 0);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id = (SELECT id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE id = coalesce(NULL, id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN true ELSE true END;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE (CASE WHEN id = 1 THEN 1 ELSE 1 END) = 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE 1 = 0);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE NOT (id IN (SELECT user_id FROM orders LIMIT 0));",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN 1 ELSE 1 END;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id - id + 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id = COALESCE(NULL, id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id NOT IN (SELECT user_id FROM orders WHERE 1 = 0);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE NOT (id IN (SELECT user_id FROM orders LIMIT 0));",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE CASE WHEN id > 0 THEN 1 ELSE 1 END;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id - id + 1;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id = COALESCE(NULL, id);",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    // LIKE '%' is IS NOT NULL: with its opposite, or on a NOT NULL key (merged schema).
    {
      code: "DELETE FROM users WHERE email LIKE '%' OR email IS NULL;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      code: "DELETE FROM users WHERE email ILIKE '%%' OR email IS NULL;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      code: "UPDATE users SET email = NULL WHERE email LIKE '%' OR email IS NULL;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text);" },
      code: "DELETE FROM users WHERE id LIKE '%';",
      errors: [{ line: 1 }],
    },
    {
      dialect: "sqlite",
      code: "UPDATE users SET email = NULL WHERE email LIKE '%' OR email IS NULL;",
      errors: [{ line: 1, message: /WHERE clause/ }],
    },
    {
      dialect: "sqlite",
      merged: { "1_init.up.sql": "CREATE TABLE users (id integer PRIMARY KEY, email text);" },
      code: "DELETE FROM users WHERE id LIKE '%';",
      errors: [{ line: 1 }],
    },
    {
      name: "SQLite UPDATE OR REPLACE (node-sql-parser reads no conflict clause)",
      dialect: "sqlite",
      code: "UPDATE OR REPLACE users SET email = NULL;\nWITH x AS (SELECT 1) UPDATE OR IGNORE users SET email = NULL WHERE NOT (id <> id);",
      errors: [{ line: 1 }, { line: 2, message: /WHERE clause/ }],
    },
    // The table's own ids behind a WHERE that keeps every row.
    {
      code: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE true);",
      errors: [{ line: 1, message: /among the id values of users itself/ }],
    },
    {
      code: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE NOT (id <> id));",
      errors: [{ line: 1, message: /among the id values/ }],
    },
    {
      dialect: "mysql",
      code: "DELETE FROM users WHERE id IN (SELECT id FROM (SELECT id FROM users WHERE 1) x);",
      errors: [{ line: 1, message: /among the id values/ }],
    },
    {
      dialect: "sqlite",
      code: "DELETE FROM users WHERE id IN (SELECT id FROM users WHERE id + 0 = id);",
      errors: [{ line: 1, message: /among the id values/ }],
    },
  ],
});
