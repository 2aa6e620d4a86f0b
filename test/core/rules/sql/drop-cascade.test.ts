import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("drop-cascade", {
  valid: [
    { code: "DROP TABLE t;" },
    { code: "DROP VIEW v RESTRICT;" },
    { code: "ALTER TABLE t DROP COLUMN c;" },
    {
      name: "issue 14: a foreign key the change created: nothing can depend on it",
      code: "ALTER TABLE orders ADD CONSTRAINT orders_customer FOREIGN KEY (customer_id) REFERENCES customers (id) NOT VALID;\nALTER TABLE orders DROP CONSTRAINT orders_customer CASCADE;",
    },
    {
      name: "a CHECK created in an earlier migration of the change, renamed since",
      files: {
        "2_a.up.sql": "ALTER TABLE t ADD CONSTRAINT positive CHECK (n > 0) NOT VALID;",
        "3_b.up.sql":
          "ALTER TABLE t RENAME CONSTRAINT positive TO t_n_pos;\nALTER TABLE t DROP CONSTRAINT t_n_pos CASCADE;",
      },
    },
  ],
  invalid: [
    {
      code: "DROP TABLE users CASCADE;",
      errors: [{ line: 1, message: /DROP TABLE users CASCADE/ }],
    },
    { code: "DROP VIEW report CASCADE;", errors: [{ line: 1 }] },
    { code: "DROP TYPE mood CASCADE;", errors: [{ line: 1 }] },
    {
      code: "ALTER TABLE t\n  DROP COLUMN a CASCADE,\n  DROP CONSTRAINT c CASCADE;",
      errors: [{ line: 2 }, { line: 3 }],
    },
    {
      name: "an object created in this change: notice",
      code: "CREATE TABLE tmp (id int);\nDROP TABLE tmp CASCADE;",
      errors: [{ line: 2, severity: "notice" }],
    },
    { code: "DROP TABLE t CASCADE;", dialect: "cockroachdb", errors: [{ line: 1 }] },
    {
      name: "issue 14: a foreign key by its name (Postgres' _fkey): a notice",
      code: "ALTER TABLE orders DROP CONSTRAINT orders_customer_id_fkey CASCADE;",
      errors: [
        { line: 1, severity: "notice", message: /by its name the constraint is a foreign key/ },
      ],
    },
    {
      code: "ALTER TABLE orders DROP CONSTRAINT fk_orders_customer CASCADE;",
      errors: [{ line: 1, severity: "notice" }],
    },
    {
      name: "a PRIMARY KEY: the foreign keys referencing it go too",
      code: "ALTER TABLE customers DROP CONSTRAINT customers_pkey CASCADE;",
      errors: [{ line: 1, severity: "error" }],
    },
    {
      name: "a UNIQUE constraint the change created is judged by its kind, not its FK-looking name",
      code: "ALTER TABLE customers ADD CONSTRAINT c_email_fkey UNIQUE (email);\nALTER TABLE customers DROP CONSTRAINT c_email_fkey CASCADE;",
      errors: [{ line: 2, severity: "notice", message: /created earlier in this change/ }],
    },
    {
      name: "attacker: a primary key renamed to look like a foreign key first",
      code: "ALTER TABLE customers RENAME CONSTRAINT customers_pkey TO customers_id_fkey;\nALTER TABLE customers DROP CONSTRAINT customers_id_fkey CASCADE;",
      errors: [{ line: 2, severity: "error" }],
    },
    {
      name: "attacker: renamed to an FK-looking name by an earlier migration of the change",
      files: {
        "2_a.up.sql":
          "ALTER TABLE customers RENAME CONSTRAINT customers_pkey TO customers_id_fkey;",
        "3_b.up.sql": "ALTER TABLE customers DROP CONSTRAINT customers_id_fkey CASCADE;",
      },
      errors: [{ file: "3_b.up.sql", line: 1, severity: "error" }],
    },
  ],
});
