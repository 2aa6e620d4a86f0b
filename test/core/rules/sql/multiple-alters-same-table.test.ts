import { ruleTester } from "../../../helpers/rule-tester.js";

const my = { dialect: "mysql" as const };

ruleTester("multiple-alters-same-table", {
  valid: [
    { code: "ALTER TABLE users ADD COLUMN a int, ADD COLUMN b int;" },
    {
      name: "a backfill between them: the second needs the first",
      code: "ALTER TABLE users ADD COLUMN a int;\nUPDATE users SET a = 0 WHERE a IS NULL;\nALTER TABLE users ALTER COLUMN a SET NOT NULL;",
    },
    {
      name: "a table created earlier in the file",
      code: "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN a int;\nALTER TABLE t ADD COLUMN b int;",
    },
    {
      name: "different tables",
      code: "ALTER TABLE a ADD COLUMN x int;\nALTER TABLE b ADD COLUMN x int;",
    },
    {
      name: "Postgres: RENAME cannot be combined with other actions",
      code: "ALTER TABLE users RENAME COLUMN a TO b;\nALTER TABLE users ADD COLUMN c int;",
    },
    {
      name: "Postgres: VALIDATE CONSTRAINT is split off on purpose",
      code: "ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE users VALIDATE CONSTRAINT c;",
    },
    {
      ...my,
      name: "MySQL: a stated ALGORITHM/LOCK keeps each statement's needs apart",
      code: "ALTER TABLE users ADD COLUMN a int, ALGORITHM=INSTANT;\nALTER TABLE users ADD INDEX i (b), ALGORITHM=INPLACE, LOCK=NONE;",
    },
    {
      ...my,
      name: "MySQL: an added foreign key would make every joined action a table copy",
      code: "ALTER TABLE t MODIFY subject char(36) NULL;\nALTER TABLE t DROP FOREIGN KEY fk, ADD CONSTRAINT fk FOREIGN KEY (subject) REFERENCES u (id);",
    },
    {
      ...my,
      name: "MySQL: a RENAME COLUMN and an ADD COLUMN reusing the old name stay apart",
      code: "ALTER TABLE c RENAME COLUMN kind TO format;\nALTER TABLE c ADD COLUMN kind varchar(32) NOT NULL DEFAULT '';",
    },
    {
      name: "attacker's noise: in DO blocks, which a reviewer cannot merge",
      code: "DO $$ BEGIN ALTER TABLE users ADD COLUMN a int; ALTER TABLE users ADD COLUMN b int; END $$;",
    },
    {
      name: "SQLite is not claimed (one action per ALTER TABLE)",
      dialect: "sqlite",
      code: "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ALTER COLUMN b SET DEFAULT 0;",
      errors: [
        {
          line: 1,
          severity: "notice",
          message:
            /2 ALTER TABLE statements on users one after another \(lines 1 and 2\).*ACCESS EXCLUSIVE/,
        },
      ],
    },
    {
      name: "attacker: quoting, schema, case, comments, another table between",
      code: 'alter /* x */ table public."users" add column a int;\nALTER TABLE orders ADD COLUMN z int;\nALTER TABLE users DROP COLUMN b;\nALTER TABLE ONLY users ADD COLUMN c int;',
      errors: [
        { line: 1, message: /3 ALTER TABLE statements on public\.users .*lines 1, 3 and 4/ },
      ],
    },
    {
      ...my,
      code: "ALTER TABLE `users` ADD COLUMN a int;\n/*!80000 ALTER TABLE users ADD INDEX i (a) */;\nalter table USERS drop column b;",
      errors: [{ line: 1, message: /3 ALTER TABLE statements on users .*metadata lock/ }],
    },
    {
      name: "two runs split by a backfill: each run reported",
      code: "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN b int;\nUPDATE users SET a = 1 WHERE a IS NULL;\nALTER TABLE users ALTER COLUMN a SET NOT NULL;\nALTER TABLE users ALTER COLUMN b SET DEFAULT 0;",
      errors: [
        { line: 1, message: /lines 1 and 2/ },
        { line: 4, message: /lines 4 and 5/ },
      ],
    },
  ],
});
