import { ruleTester } from "../../../helpers/rule-tester.js";

const fn = (body: string, name = "f", lang = "plpgsql") =>
  `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE ${lang} AS $$ ${body} $$;\n`;
const trig = (timing = "BEFORE INSERT OR UPDATE", table = "users", name = "f") =>
  `CREATE TRIGGER t ${timing} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();\n`;

ruleTester("create-trigger-on-existing-table", {
  valid: [
    { code: "CREATE TABLE t (id int);\nCREATE RULE r AS ON INSERT TO t DO INSTEAD NOTHING;" },
    {
      name: "a table created in the file",
      code:
        "CREATE TABLE audit (id bigint);\n" +
        fn("BEGIN RETURN NULL; END") +
        trig("BEFORE INSERT", "audit"),
    },
    { name: "a function alone", code: fn("BEGIN RETURN NULL; END") },
    {
      name: "MySQL: a trigger on a table created in the file",
      dialect: "mysql",
      code: "CREATE TABLE a (id int, e text);\nCREATE TRIGGER t BEFORE INSERT ON a FOR EACH ROW SET NEW.e = NULL;\n",
    },
    {
      name: "SQLite: a trigger on a table created in the file",
      dialect: "sqlite",
      code: "CREATE TABLE a (id int);\nCREATE TRIGGER t BEFORE INSERT ON a BEGIN SELECT RAISE(IGNORE); END;\n",
    },
    {
      name: "an event trigger",
      code: "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f();",
    },
  ],
  invalid: [
    {
      code: "CREATE RULE r AS ON INSERT TO users DO INSTEAD NOTHING;",
      errors: [{ line: 1, severity: "warning", message: /discards every later INSERT on it/ }],
    },
    {
      code: "CREATE OR REPLACE RULE r AS ON UPDATE TO users WHERE old.id > 0 DO INSTEAD UPDATE orders SET id = new.id;",
      errors: [
        {
          line: 1,
          severity: "warning",
          message: /UPDATE \(those its WHERE matches\).*writes orders/,
        },
      ],
    },
    {
      code: "CREATE RULE r AS ON DELETE TO users DO ALSO DELETE FROM orders WHERE user_id = old.id;",
      errors: [{ line: 1, severity: "warning", message: /DO ALSO/ }],
    },
    {
      code: "CREATE RULE r AS ON INSERT TO users DO ALSO NOTIFY users_changed;",
      errors: [{ line: 1, severity: "notice", message: /Rule r on the existing table users/ }],
    },
    {
      name: "the updated_at trigger stays a notice",
      code:
        fn(
          "BEGIN NEW.updated_at := now(); NEW.touched = CURRENT_TIMESTAMP; NEW.at := timezone('utc'::text, now()); RETURN NEW; END",
        ) + trig("BEFORE UPDATE"),
      errors: [{ line: 2, severity: "notice", message: /SHARE ROW EXCLUSIVE.*low-traffic window/ }],
    },
    {
      name: "an AFTER trigger only locks (notice) even when its function returns NULL",
      code: fn("BEGIN RETURN NULL; END") + trig("AFTER INSERT"),
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      name: "a BEFORE DELETE trigger is a notice",
      code: fn("BEGIN RETURN OLD; END") + trig("BEFORE DELETE"),
      errors: [{ line: 2, severity: "notice" }],
    },
    {
      name: "RETURN NULL discards every write",
      code: fn("BEGIN RETURN NULL; END") + trig(),
      errors: [{ line: 2, severity: "warning", message: /RETURN NULL.*DBA's review/ }],
    },
    {
      name: "RETURN OLD on UPDATE keeps the old row",
      code:
        fn("BEGIN IF TG_OP = 'UPDATE' THEN RETURN OLD; END IF; RETURN NEW; END") +
        trig("BEFORE UPDATE"),
      errors: [{ line: 2, severity: "warning", message: /RETURN OLD/ }],
    },
    {
      name: "a returned variable",
      code:
        "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ DECLARE r users; BEGIN r := NEW; RETURN r; END $$;\n" +
        trig(),
      errors: [{ line: 2, severity: "warning", message: /RETURN r/ }],
    },
    {
      name: "NEW.col := NULL overwrites",
      code: fn("BEGIN NEW.email := NULL; RETURN NEW; END") + trig(),
      errors: [{ line: 2, severity: "warning", message: /overwrites.*NEW\.email := NULL/ }],
    },
    {
      name: "a time function next to another assignment still warns",
      code:
        fn("BEGIN NEW.updated_at := now(); NEW.email = lower(NEW.email); RETURN NEW; END") +
        trig("BEFORE UPDATE"),
      errors: [{ line: 2, severity: "warning", message: /lower/ }],
    },
    {
      name: "SELECT … INTO NEW overwrites",
      code: fn("BEGIN SELECT * INTO NEW FROM users WHERE id = 1; RETURN NEW; END") + trig(),
      errors: [{ line: 2, severity: "warning", message: /INTO NEW/ }],
    },
    {
      name: "an unreadable function (created elsewhere)",
      code: trig(),
      errors: [{ line: 1, severity: "warning", message: /not created by this change/ }],
    },
    {
      name: "an unreadable function (another language)",
      code: fn("return 'SKIP'", "f", "plpython3u") + trig(),
      errors: [{ line: 2, severity: "warning", message: /plpython3u/ }],
    },
    {
      name: "an unreadable function (EXECUTE of computed text)",
      code: fn("BEGIN EXECUTE 'UPDATE ' || TG_ARGV[0]; RETURN NEW; END") + trig(),
      errors: [{ line: 2, severity: "warning", message: /EXECUTE of a string built at run time/ }],
    },
    {
      name: "INSTEAD OF on an existing view",
      code: fn("BEGIN RETURN NULL; END") + trig("INSTEAD OF INSERT", "users_v"),
      errors: [{ line: 2, severity: "warning" }],
    },
    {
      name: "a CONSTRAINT TRIGGER (always AFTER): notice",
      code:
        fn("BEGIN RETURN NULL; END") +
        "CREATE CONSTRAINT TRIGGER c AFTER INSERT ON users DEFERRABLE FOR EACH ROW EXECUTE FUNCTION f();\n",
      errors: [{ line: 2, severity: "notice", message: /Constraint trigger c/ }],
    },
    {
      name: "CREATE OR REPLACE TRIGGER",
      code:
        fn("BEGIN NEW.email := 'x'; RETURN NEW; END") +
        "CREATE OR REPLACE TRIGGER t BEFORE INSERT ON users FOR EACH ROW EXECUTE PROCEDURE f();\n",
      errors: [{ line: 2, severity: "warning" }],
    },
    {
      name: "a harmless body redefined after the trigger is created",
      code:
        fn("BEGIN RETURN NEW; END") +
        trig() +
        "CREATE OR REPLACE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n",
      errors: [{ line: 2, severity: "warning", message: /RETURN NULL/ }],
    },
    {
      name: "CREATE OR REPLACE of a trigger function the file did not create (a merged trigger runs it)",
      code: "CREATE OR REPLACE FUNCTION set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$;\n",
      errors: [{ line: 1, severity: "warning", message: /may replace a trigger function/ }],
    },
    {
      name: "a trigger created inside a DO block",
      code: fn("BEGIN RETURN NULL; END") + "DO $d$ BEGIN " + trig().trim() + " END $d$;\n",
      errors: [{ line: 2, severity: "warning" }],
    },
    {
      name: "the function created in an earlier file of the change",
      files: {
        "000003_f.up.sql": fn("BEGIN NEW.email := NULL; RETURN NEW; END"),
        "000003_f.down.sql": "DROP FUNCTION f();\n",
        "000004_t.up.sql": trig(),
        "000004_t.down.sql": "DROP TRIGGER t ON users;\n",
      },
      errors: [{ file: "000004_t.up.sql", line: 1, severity: "warning", message: /NEW\.email/ }],
    },
    {
      name: "MySQL: SET NEW.col = … overwrites",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW SET NEW.updated_at = NOW(), NEW.email = NULL;\n",
      errors: [{ line: 1, severity: "warning", message: /SET NEW\.email = NULL/ }],
    },
    {
      name: "MySQL: the updated_at trigger in a BEGIN … END body is a notice",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW BEGIN SET NEW.updated_at = CURRENT_TIMESTAMP(6); END;\n",
      errors: [{ line: 1, severity: "notice", message: /metadata lock/ }],
    },
    {
      name: "MySQL: an AFTER trigger is a notice",
      dialect: "mysql",
      code: "CREATE TRIGGER t AFTER INSERT ON users FOR EACH ROW INSERT INTO audit VALUES (NEW.id);\n",
      errors: [{ line: 1, severity: "notice" }],
    },
    {
      name: "MySQL: SET NEW.col := … in an IF",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE UPDATE ON users FOR EACH ROW BEGIN IF NEW.id > 0 THEN SET @n = 1, NEW.`email` := ''; END IF; END;\n",
      errors: [{ line: 1, severity: "warning", message: /SET NEW\.`email` = ''/ }],
    },
    {
      name: "MySQL: SELECT … INTO a NEW field",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW SELECT 1, 2 INTO @a, NEW.email FROM dual;\n",
      errors: [{ line: 1, severity: "warning", message: /INTO NEW/ }],
    },
    {
      name: "MySQL: a procedure call may set NEW",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW CALL fix(NEW.email);\n",
      errors: [{ line: 1, severity: "warning", message: /calls a procedure/ }],
    },
    {
      name: "SQLite: RAISE(IGNORE) in a BEFORE trigger discards the write",
      dialect: "sqlite",
      code: "CREATE TRIGGER t BEFORE INSERT ON users WHEN NEW.email LIKE '%@x.org' BEGIN SELECT RAISE(IGNORE); END;\n",
      errors: [{ line: 1, severity: "warning", message: /RAISE\(IGNORE\)/ }],
    },
    {
      name: "SQLite: a BEFORE trigger that only writes elsewhere is a notice",
      dialect: "sqlite",
      code: "CREATE TRIGGER t BEFORE UPDATE ON users BEGIN INSERT INTO audit VALUES (OLD.id); END;\n",
      errors: [{ line: 1, severity: "notice", message: /database file/ }],
    },
  ],
});
