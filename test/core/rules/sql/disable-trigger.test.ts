import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("disable-trigger", {
  valid: [
    {
      code: "ALTER TABLE users ENABLE TRIGGER audit;\nALTER TABLE users ENABLE ALWAYS TRIGGER audit;",
    },
    {
      name: "a table created in the change",
      files: {
        "2_a.up.sql": "CREATE TABLE t (id int);",
        "3_b.up.sql": "ALTER TABLE t DISABLE TRIGGER ALL;",
      },
    },
    {
      name: "a trigger created earlier in the file",
      code: "CREATE TRIGGER trg BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f();\nALTER TABLE users DISABLE TRIGGER trg;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users DISABLE TRIGGER audit;",
      errors: [{ line: 1, message: /turns off trigger audit of users for every session/ }],
    },
    {
      name: "attacker: ALL, USER, comments, quoting, another action first",
      code: 'ALTER TABLE ONLY "public".orders\n  ALTER COLUMN a SET DEFAULT 1,\n  DISABLE /* x */ TRIGGER ALL;\nALTER TABLE users DISABLE TRIGGER USER;\nALTER TABLE users DISABLE TRIGGER "Audit";',
      errors: [
        { line: 3, message: /internal ones that enforce foreign keys/ },
        { line: 4, message: /every user-defined trigger of users/ },
        { line: 5, message: /trigger Audit of users/ },
      ],
    },
    {
      name: "attacker: ENABLE REPLICA TRIGGER stops it for ordinary sessions; in a DO block",
      code: "ALTER TABLE users ENABLE REPLICA TRIGGER audit;\nDO $$ BEGIN ALTER TABLE users DISABLE TRIGGER audit; END $$;",
      errors: [{ line: 1, message: /only in sessions with session_replication_role/ }, { line: 2 }],
    },
    {
      name: "enabled again in the same file (one transaction): a notice",
      code: "ALTER TABLE users DISABLE TRIGGER audit;\nUPDATE users SET email = lower(email);\nALTER TABLE users ENABLE TRIGGER audit;\nALTER TABLE orders DISABLE TRIGGER ALL;\nALTER TABLE orders ENABLE TRIGGER ALL;",
      errors: [
        { line: 1, severity: "notice", message: /until line 3, in the same transaction/ },
        { line: 4, severity: "notice", message: /foreign key checks/ },
      ],
    },
    {
      name: "attacker: another trigger, another table, or USER after ALL is enabled",
      code: "ALTER TABLE users DISABLE TRIGGER audit;\nALTER TABLE users ENABLE TRIGGER other;\nALTER TABLE orders ENABLE TRIGGER audit;\nALTER TABLE items DISABLE TRIGGER ALL;\nALTER TABLE items ENABLE TRIGGER USER;",
      errors: [
        { line: 1, severity: "warning" },
        { line: 4, severity: "warning" },
      ],
    },
    {
      name: "enabled again, but x-multi-statement runs each statement on its own",
      multiStatement: true,
      code: "ALTER TABLE users DISABLE TRIGGER audit;\nUPDATE users SET email = lower(email);\nALTER TABLE users ENABLE TRIGGER audit;",
      errors: [{ line: 1, severity: "warning", message: /does not run in one transaction/ }],
    },
    {
      name: "x-multi-statement with BEGIN … COMMIT around it: a notice",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE users DISABLE TRIGGER audit;\nUPDATE users SET email = lower(email);\nALTER TABLE users ENABLE TRIGGER audit;\nCOMMIT;",
      errors: [{ line: 2, severity: "notice" }],
    },
  ],
});
