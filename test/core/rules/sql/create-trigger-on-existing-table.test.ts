import { ruleTester } from "../../../helpers/rule-tester.js";

const fn = (body: string, name = "f", lang = "plpgsql") =>
  `CREATE FUNCTION ${name}() RETURNS trigger LANGUAGE ${lang} AS $$ ${body} $$;\n`;
const trig = (timing = "BEFORE INSERT OR UPDATE", table = "users", name = "f") =>
  `CREATE TRIGGER t ${timing} ON ${table} FOR EACH ROW EXECUTE FUNCTION ${name}();\n`;

ruleTester("create-trigger-on-existing-table", {
  valid: [
    {
      name: "a table created in the file",
      code:
        "CREATE TABLE audit (id bigint);\n" +
        fn("BEGIN RETURN NULL; END") +
        trig("BEFORE INSERT", "audit"),
    },
    { name: "a function alone", code: fn("BEGIN RETURN NULL; END") },
    {
      name: "MySQL is not covered",
      dialect: "mysql",
      code: "CREATE TRIGGER t BEFORE INSERT ON users FOR EACH ROW SET NEW.email = NULL;",
    },
    {
      name: "an event trigger",
      code: "CREATE EVENT TRIGGER e ON ddl_command_start EXECUTE FUNCTION f();",
    },
  ],
  invalid: [
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
  ],
});
