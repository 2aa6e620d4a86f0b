import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("new-write-restriction", {
  valid: [
    {
      name: "a table created in this change has no writers yet",
      code: "CREATE TABLE n (a int, b int);\nALTER TABLE n ADD CONSTRAINT c CHECK (a > 0), ALTER COLUMN b SET NOT NULL, ADD UNIQUE (a);\nCREATE UNIQUE INDEX n_b ON n (b);",
    },
    {
      name: "constraints on columns the change added: old writers leave them NULL or at their default",
      code: [
        "ALTER TABLE t ADD COLUMN r bigint, ADD COLUMN d int NOT NULL DEFAULT 0;",
        "ALTER TABLE t ADD CONSTRAINT t_r FOREIGN KEY (r) REFERENCES p (id) NOT VALID;",
        "ALTER TABLE t ADD CONSTRAINT t_r_u UNIQUE (r), ALTER COLUMN d SET NOT NULL;",
        "CREATE UNIQUE INDEX CONCURRENTLY t_r_idx ON t (r);",
        "ALTER TABLE t ADD COLUMN nonce text, ADD CONSTRAINT nn CHECK (nonce <> '');",
        "ALTER TABLE t ADD CONSTRAINT n CHECK (nonce IS NULL OR char_length(t.nonce) <= 255);",
      ].join("\n"),
    },
    {
      name: "MySQL: a CHECK reading only a column the change added",
      dialect: "mysql",
      code: "ALTER TABLE t ADD COLUMN `Nonce` varchar(300), ADD UNIQUE KEY (nonce);\nALTER TABLE t ADD CONSTRAINT n CHECK (nonce IS NULL OR CHAR_LENGTH(`nonce`) BETWEEN 1 AND 255);",
    },
    {
      name: "USING INDEX: the unique index already restricted writes; the merged column is NOT NULL already",
      merged: { "1_init.up.sql": "CREATE TABLE t (a int NOT NULL);" },
      code: "ALTER TABLE t ADD CONSTRAINT t_u UNIQUE USING INDEX t_idx, ALTER COLUMN a SET NOT NULL;",
    },
    {
      name: "a down file puts back what the up removed",
      files: { "2_change.down.sql": "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);" },
    },
    {
      name: "other actions, non-unique indexes, dropping a constraint",
      code: "ALTER TABLE t DROP CONSTRAINT c, ALTER COLUMN a DROP NOT NULL, ADD COLUMN x int;\nCREATE INDEX i ON t (a);",
    },
    {
      name: "MySQL: NOT ENFORCED check, MODIFY of a column already NOT NULL, non-unique key",
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE t (a int NOT NULL, b int);" },
      code: "ALTER TABLE t ADD CONSTRAINT c CHECK (b > 0) NOT ENFORCED, MODIFY a bigint NOT NULL, ADD KEY k (b);",
    },
    {
      name: "MySQL: MODIFY … NOT NULL without the merged schema: unknown whether it allowed NULL",
      dialect: "mysql",
      code: "ALTER TABLE t MODIFY a int NOT NULL;",
    },
  ],
  invalid: [
    {
      code: [
        "ALTER TABLE orders ADD CONSTRAINT qty_positive CHECK (qty > 0) NOT VALID;",
        "ALTER TABLE orders ALTER COLUMN customer_id SET NOT NULL;",
        "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;",
        "CREATE UNIQUE INDEX CONCURRENTLY orders_ref ON orders (ref);",
      ].join("\n"),
      errors: [
        {
          line: 1,
          message:
            /The CHECK constraint qty_positive on orders: from this migration on, the database refuses writes that make its condition false \(NOT VALID skips the existing rows, not new writes\)\. Application code/,
        },
        { line: 2, message: /NOT NULL on customer_id of orders: .* leave customer_id NULL/ },
        { line: 3, message: /FOREIGN KEY orders_customer \(customer_id\) on orders: .* customers/ },
        { line: 4, message: /unique index orders_ref on orders/ },
      ],
    },
    {
      name: "attacker: quoting, comments, case, several actions, a DO block, EXCLUDE and PRIMARY KEY",
      code: [
        'alter table "S"."T" /* x */ add unique (a, b), -- y',
        "  add primary key (id),",
        "  add constraint ex exclude using gist (r with &&);",
        "DO $$ BEGIN ALTER TABLE t ADD CHECK (a <> 0); END $$;",
      ].join("\n"),
      errors: [
        { line: 1, message: /UNIQUE constraint \(a, b\) on S.T/ },
        { line: 2, message: /PRIMARY KEY \(id\) on S.T/ },
        { line: 3, message: /EXCLUDE constraint ex on S.T/ },
        { line: 4 },
      ],
    },
    {
      name: "a column added without a default, then SET NOT NULL: old writers leave it NULL",
      code: "ALTER TABLE t ADD COLUMN c int;\nUPDATE t SET c = 0;\nALTER TABLE t ALTER COLUMN c SET NOT NULL;",
      errors: [{ line: 3, message: /NOT NULL on c of t/ }],
    },
    {
      name: "a CHECK reading an added column and an existing one",
      code: "ALTER TABLE t ADD COLUMN lo int;\nALTER TABLE t ADD CONSTRAINT r CHECK (lo <= hi);",
      errors: [{ line: 2, message: /CHECK constraint r on t/ }],
    },
    {
      name: "MySQL: a CHECK reading an existing column",
      dialect: "mysql",
      code: "ALTER TABLE t ADD COLUMN lo int, ADD CONSTRAINT r CHECK (`hi` > 0 AND lo IS NULL);",
      errors: [{ line: 1, message: /CHECK constraint r on t/ }],
    },
    {
      name: "a constraint on an existing domain",
      code: "ALTER DOMAIN email ADD CONSTRAINT email_at CHECK (VALUE LIKE '%@%') NOT VALID;",
      errors: [{ line: 1, message: /domain email: .* any column of that domain \(NOT VALID/ }],
    },
    {
      dialect: "mysql",
      merged: { "1_init.up.sql": "CREATE TABLE t (a int NULL, b int);" },
      code: "ALTER TABLE `t` ADD UNIQUE KEY u (`b`), MODIFY a int NOT NULL;\nALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (b) REFERENCES p (id);",
      errors: [
        { line: 1, message: /UNIQUE constraint u \(b\) on t/ },
        { line: 1, message: /The new definition of a of t \(NOT NULL\)/ },
        { line: 2, message: /FOREIGN KEY fk \(b\) on t/ },
      ],
    },
    {
      dialect: "sqlite",
      code: "CREATE UNIQUE INDEX IF NOT EXISTS u ON t (a);",
      errors: [{ line: 1 }],
    },
    {
      dialect: "cockroachdb",
      code: "ALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);",
      errors: [{ line: 1 }],
    },
  ],
});
