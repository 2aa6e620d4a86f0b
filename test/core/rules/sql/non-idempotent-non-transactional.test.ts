import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("non-idempotent-non-transactional", {
  valid: [
    {
      name: "a lone CIC with IF NOT EXISTS",
      code: "CREATE INDEX CONCURRENTLY IF NOT EXISTS i ON t (c);",
    },
    {
      name: "Postgres files run in one transaction: nothing stays after a failure",
      code: "CREATE TABLE a (id bigint);\nALTER TABLE b ADD COLUMN c int;",
    },
    {
      name: "a CIC sharing a transactional file never runs (non-transactional-statement-in-transaction)",
      code: "CREATE INDEX CONCURRENTLY i ON t (c);\nSELECT 1;",
    },
    {
      name: "multi-statement: every statement but the last can run twice",
      multiStatement: true,
      code: "CREATE TABLE IF NOT EXISTS a (id bigint);\nALTER TABLE b ADD COLUMN IF NOT EXISTS c int, DROP COLUMN IF EXISTS d;\nDROP INDEX IF EXISTS x;\nCREATE INDEX y ON b (c);",
    },
    {
      name: "multi-statement: an explicit transaction is atomic",
      multiStatement: true,
      code: "BEGIN;\nCREATE TABLE a (id bigint);\nALTER TABLE b ADD COLUMN c int;\nCOMMIT;",
    },
    {
      dialect: "mysql",
      name: "MySQL: the last statement failing leaves nothing of itself",
      code: "CREATE TABLE IF NOT EXISTS a (id BIGINT);\nALTER TABLE a ADD COLUMN c INT;",
    },
    { dialect: "mysql", code: "ALTER TABLE a ADD COLUMN c INT;" },
    {
      dialect: "sqlite",
      name: "SQLite files run in a transaction",
      code: "CREATE TABLE a (id INTEGER);\nCREATE INDEX i ON a (id);",
    },
  ],
  invalid: [
    {
      name: "attacker: MySQL BEGIN … COMMIT does not make DDL transactional (implicit commits)",
      dialect: "mysql",
      code: "BEGIN;\nCREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCOMMIT;",
      errors: [{ line: 2, message: /MySQL commits it at once/ }],
    },
    {
      code: "-- a comment\nCREATE INDEX CONCURRENTLY users_email_idx ON users (email);",
      errors: [{ line: 2, message: /users_email_idx stays behind as an INVALID index/ }],
    },
    {
      name: "DETACH PARTITION CONCURRENTLY alone",
      code: "ALTER TABLE m DETACH PARTITION m_2020 CONCURRENTLY;",
      errors: [{ line: 1, message: /FINALIZE/ }],
    },
    {
      name: "multi-statement mode: what committed before a failure",
      multiStatement: true,
      code: "CREATE TABLE a (id bigint);\nALTER TABLE b ADD COLUMN c int;\nCREATE INDEX CONCURRENTLY i ON b (c);\nALTER TYPE e ADD VALUE 'x';\nSELECT 1;",
      errors: [
        { line: 1, message: /CREATE TABLE a has no IF NOT EXISTS.*x-multi-statement.*line 2/ },
        { line: 2, message: /ADD COLUMN c has no IF NOT EXISTS/ },
        { line: 3, message: /INVALID index/ },
        { line: 4, message: /ADD VALUE has no IF NOT EXISTS/ },
      ],
    },
    {
      dialect: "mysql",
      code: "CREATE TABLE invoices (id BIGINT PRIMARY KEY);\nCREATE INDEX invoices_created_idx ON invoices (id);",
      errors: [{ line: 1, message: /MySQL commits it at once/ }],
    },
    {
      dialect: "mysql",
      name: "attacker: quoted names, comments, upper/lower case, several statements on one line",
      code: "/* setup */ create table `Orders` (id bigint); ALTER TABLE `Orders` RENAME COLUMN a TO b;\n-- done\nDROP TABLE `Old`;",
      errors: [
        { line: 1, message: /CREATE TABLE orders has no IF NOT EXISTS/i },
        { line: 1, message: /RENAME COLUMN a fails once/ },
      ],
    },
  ],
});
