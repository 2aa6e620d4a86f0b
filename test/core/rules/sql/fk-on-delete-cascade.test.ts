import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("fk-on-delete-cascade", {
  valid: [
    {
      code: [
        "CREATE TABLE a (p bigint REFERENCES p ON DELETE RESTRICT, q bigint REFERENCES q ON DELETE SET NULL);",
        "CREATE TABLE b (p bigint REFERENCES p ON UPDATE CASCADE, q bigint REFERENCES q ON DELETE NO ACTION);",
        "ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p (id) ON DELETE SET DEFAULT;",
        "CREATE TABLE cascade (cascade int);",
      ].join("\n"),
    },
    {
      name: "a down file restores the design its up replaced",
      files: {
        "2_change.down.sql":
          "ALTER TABLE c ADD CONSTRAINT c_p FOREIGN KEY (p) REFERENCES p (id) ON DELETE CASCADE;",
      },
    },
    {
      name: "MySQL before 9.0 ignores a column's own REFERENCES: no key, no cascade",
      dialect: "mysql",
      code: "CREATE TABLE c (p_id int REFERENCES p (id) ON DELETE CASCADE);",
    },
    {
      name: "MySQL: ON UPDATE CASCADE only",
      dialect: "mysql",
      code: "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON UPDATE CASCADE;",
    },
  ],
  invalid: [
    {
      name: "a new table is reported: the key's behaviour is chosen where it is declared",
      code: "CREATE TABLE line_items (\n  id bigint PRIMARY KEY,\n  order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE\n);",
      errors: [
        {
          line: 1,
          endLine: 4,
          message:
            /The foreign key line_items \(order_id\) → orders is ON DELETE CASCADE: every DELETE of a parent row also deletes/,
        },
      ],
    },
    {
      name: "several keys of one statement: one finding naming each",
      code: "CREATE TABLE s.m (\n  a int REFERENCES x ON DELETE CASCADE,\n  b int,\n  c int,\n  FOREIGN KEY (b, c) REFERENCES y (b, c) ON DELETE CASCADE\n);",
      errors: [
        { line: 1, endLine: 6, message: /keys s.m \(a\) → x, s.m \(b, c\) → y are ON DELETE/ },
      ],
    },
    {
      name: "attacker: lower case, comments between keywords, ON UPDATE first, NOT VALID, ADD COLUMN",
      code: [
        "SELECT 1;",
        'alter table "Orders" add constraint fk foreign key (c) references c (id) on update cascade on /* x */ delete -- y',
        "  cascade not valid;",
        "ALTER TABLE t ADD COLUMN u bigint REFERENCES users ON DELETE CASCADE;",
      ].join("\n"),
      errors: [
        { line: 2, endLine: 3, message: /Orders \(c\) → c/ },
        { line: 4, message: /t \(u\) → users/ },
      ],
    },
    {
      name: "attacker: inside a DO block",
      code: "DO $$\nBEGIN\n  ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users ON DELETE CASCADE;\nEND\n$$;",
      errors: [{ line: 3 }],
    },
    {
      dialect: "mysql",
      code: "ALTER TABLE c\n  ADD CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) on /* x */ delete cascade;",
      errors: [{ line: 2, message: /c \(p_id\) → p is ON DELETE CASCADE/ }],
    },
    {
      name: "MySQL 9.0 creates the key a column's own REFERENCES declares",
      dialect: "mysql",
      databaseVersion: "9.0.0",
      code: "CREATE TABLE c (p_id int REFERENCES p (id) ON DELETE CASCADE);",
      errors: [{ line: 1 }],
    },
    {
      dialect: "sqlite",
      code: "CREATE TABLE c (\n  p_id INTEGER REFERENCES p (id) ON DELETE CASCADE\n);",
      errors: [{ line: 1, endLine: 3, message: /PRAGMA foreign_keys = ON/ }],
    },
    {
      dialect: "cockroachdb",
      code: "ALTER TABLE c ADD CONSTRAINT fk FOREIGN KEY (p_id) REFERENCES p (id) ON DELETE CASCADE;",
      errors: [{ line: 1 }],
    },
  ],
});
