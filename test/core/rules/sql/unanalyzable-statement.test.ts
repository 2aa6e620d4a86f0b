import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("unanalyzable-statement", {
  valid: [
    { code: "SELECT now(), count(*), gen_random_uuid(), uuid_generate_v4();" },
    { code: "INSERT INTO t (id, created) VALUES (nextval('t_seq'), clock_timestamp());" },
    {
      name: "a routine the change creates and calls is read, not opaque",
      code: "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;\nSELECT f();",
    },
    {
      name: "EXECUTE of a constant string is read",
      code: "DO $$ BEGIN EXECUTE 'CREATE INDEX i ON t (a)'; END $$;",
    },
    {
      name: "EXPLAIN ANALYZE EXECUTE of a statement prepared earlier",
      code: "PREPARE p AS SELECT 1;\nEXPLAIN ANALYZE EXECUTE p;\nEXPLAIN EXECUTE unknown_but_not_run;",
    },
    {
      name: "EXECUTE of a prepared statement prepared earlier",
      code: "PREPARE p(int) AS SELECT $1;\nEXECUTE p(1);",
    },
    {
      name: "a trigger on a table the migration does not write afterwards",
      code: "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION set_updated_at();",
    },
    {
      name: "a function created but never called (application code) may use dynamic SQL",
      code: "CREATE FUNCTION drop_partition(n text) RETURNS void LANGUAGE plpgsql AS $$ BEGIN EXECUTE format('DROP TABLE %I', n); END $$;",
    },
    { code: "SELECT CONCAT('a', 'b'), NOW();", dialect: "mysql" },
    {
      name: "MySQL procedure created and called in the migration",
      dialect: "mysql",
      code: "CREATE PROCEDURE p() BEGIN SELECT 1; END;\nCALL p();",
    },
    {
      name: "MySQL: a procedure that prepares a literal and runs it",
      dialect: "mysql",
      code: "CREATE PROCEDURE p() BEGIN PREPARE s FROM 'SELECT 1'; EXECUTE s; END;\nCALL p();",
    },
    {
      name: "MySQL: versioned comments are read as the configured server reads them",
      dialect: "mysql",
      databaseVersion: "8.0.32",
      code: "/*!80023 SELECT 1 */;",
    },
    { code: "SELECT uuid_v4(), unique_rowid();", dialect: "cockroachdb" },
    {
      name: "a column default calling a function of a merged migration runs only when rows are written",
      code: "CREATE TABLE t (id bigint DEFAULT next_id());",
    },
  ],
  invalid: [
    {
      name: "EXECUTE of a computed string in a DO block",
      code: "DO $$\nBEGIN\n  EXECUTE 'DROP TABLE ' || (SELECT name FROM cleanup LIMIT 1);\nEND $$;",
      errors: [{ line: 3, message: /EXECUTE of a string built at run time/ }],
    },
    {
      name: "EXECUTE format() with a variable, only under a condition",
      code: "DO $$\nDECLARE t text := 'users';\nBEGIN\n  IF EXISTS (SELECT 1 FROM users) THEN\n    EXECUTE format('TRUNCATE %I', t);\n  END IF;\nEND $$;",
      errors: [{ line: 5, message: /only when a condition/ }],
    },
    {
      name: "a call of a function the change does not create",
      code: "SELECT purge_old_rows();",
      errors: [{ line: 1, message: /purge_old_rows\(\), which this change does not create/ }],
    },
    {
      name: "CALL of a procedure the change does not create",
      code: "CALL maintenance.cleanup();",
      errors: [{ line: 1, message: /CALL of the procedure maintenance\.cleanup\(\)/ }],
    },
    {
      name: "PERFORM of an unknown function inside a DO block",
      code: "DO $$ BEGIN PERFORM wipe(); END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "a function the change does not create, called from a RAISE's parameters",
      code: "DO $$ BEGIN RAISE NOTICE '%', dblink_exec('dbname=app', 'DROP TABLE users'); END $$;",
      errors: [{ line: 1, message: /dblink_exec\(\)/ }],
    },
    {
      name: "EXPLAIN ANALYZE EXECUTE and CREATE TABLE … AS EXECUTE of a statement this change does not prepare",
      code: "EXPLAIN ANALYZE EXECUTE wipe_all;\nCREATE TABLE t AS EXECUTE wipe_some;",
      errors: [
        {
          line: 1,
          message: /EXECUTE wipe_all runs a prepared statement this change does not prepare/,
        },
        {
          line: 2,
          message: /EXECUTE wipe_some runs a prepared statement this change does not prepare/,
        },
      ],
    },
    {
      name: "EXECUTE of a statement this change does not prepare",
      code: "EXECUTE wipe_all;",
      errors: [{ line: 1, message: /does not prepare before it/ }],
    },
    {
      name: "DEALLOCATE ends a prepared statement",
      code: "PREPARE p AS SELECT 1;\nDEALLOCATE p;\nEXECUTE p;",
      errors: [{ line: 3 }],
    },
    {
      name: "a DO block in another language",
      code: "DO LANGUAGE plpython3u $$ plpy.execute('DROP TABLE users') $$;",
      errors: [{ line: 1, message: /language plpython3u/ }],
    },
    {
      name: "a called function written in C",
      code: "CREATE FUNCTION f() RETURNS void LANGUAGE c AS 'evil.so', 'f';\nSELECT f();",
      errors: [{ line: 1, message: /language c/ }],
    },
    {
      name: "COPY … PROGRAM",
      code: "COPY users FROM PROGRAM 'curl -s https://example.com/x.csv';",
      errors: [{ line: 1, message: /shell command/ }],
    },
    {
      name: "built-ins that run SQL given as a string",
      code: "SELECT query_to_xml('SELECT wipe()', true, true, '');",
      errors: [{ line: 1, message: /runs the SQL query it is given as a string/ }],
    },
    {
      name: "a trigger created by the change on a table it then writes, with a function it does not create",
      code: "CREATE TRIGGER t AFTER INSERT ON events FOR EACH ROW EXECUTE FUNCTION audit_fn();\nINSERT INTO events VALUES (1);",
      errors: [{ line: 2, message: /audit_fn\(\) is not created in this change/ }],
    },
    {
      name: "an EXECUTEd constant that calls an unknown function",
      code: "DO $$ BEGIN EXECUTE 'SELECT wipe()'; END $$;",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL PREPARE FROM a variable",
      dialect: "mysql",
      code: "SET @q = CONCAT('DROP TABLE ', 'users');\nPREPARE s FROM @q;\nEXECUTE s;",
      errors: [{ line: 2, message: /built at run time/ }],
    },
    {
      name: "MySQL: a procedure that prepares dynamic SQL and runs it: one finding, at the PREPARE",
      dialect: "mysql",
      code: "CREATE PROCEDURE drop_fk(t VARCHAR(64)) BEGIN\n  SET @q = CONCAT('ALTER TABLE ', t, ' DROP FOREIGN KEY fk');\n  PREPARE s FROM @q;\n  EXECUTE s;\nEND;\nCALL drop_fk('users');",
      errors: [{ line: 3, message: /The body runs when drop_fk\(\) is called on line 6/ }],
    },
    {
      name: "MariaDB EXECUTE IMMEDIATE of a variable",
      dialect: "mysql",
      code: "EXECUTE IMMEDIATE @q;",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL CALL of a procedure the change does not create",
      dialect: "mysql",
      code: "CALL cleanup();",
      errors: [{ line: 1 }],
    },
    {
      name: "MySQL: a version-dependent comment without databaseVersion",
      dialect: "mysql",
      parseError: true, // read as code, the comment's text is not SQL
      code: "/*!99999 'x */ DROP TABLE users; -- ' */;",
      errors: [{ line: 1, message: /reads differently when the server skips version-specific/ }],
    },
    {
      name: "CockroachDB: a call of an unknown function",
      dialect: "cockroachdb",
      code: "SELECT wipe();",
      errors: [{ line: 1 }],
    },
  ],
});
