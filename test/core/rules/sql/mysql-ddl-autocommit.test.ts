import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("mysql-ddl-autocommit", {
  valid: [
    { dialect: "mysql", code: "ALTER TABLE t ADD COLUMN a INT, ADD COLUMN b INT;" },
    { dialect: "mysql", code: "CREATE TABLE t (id INT);\nINSERT INTO t VALUES (1);" },
    { code: "CREATE TABLE a (id int);\nCREATE TABLE b (id int);" },
  ],
  invalid: [
    {
      dialect: "mysql",
      code: "-- two steps\nCREATE TABLE a (id INT);\n\nINSERT INTO a VALUES (1);\nCREATE INDEX a_id ON a (id);\n",
      errors: [{ line: 2, endLine: 5, message: /2 DDL statements/ }],
    },
  ],
});
