import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("add-foreign-key-validated", {
  valid: [
    {
      code: "ALTER TABLE orders ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id) NOT VALID;",
    },
    { code: "ALTER TABLE orders VALIDATE CONSTRAINT orders_user_fk;" },
    { code: "CREATE TABLE orders (id int, user_id int REFERENCES users (id));" },
    {
      name: "a table created in the same file",
      code: "CREATE TABLE o (id int, u int);\nALTER TABLE o ADD FOREIGN KEY (u) REFERENCES users (id);",
    },
    {
      name: "MySQL with foreign_key_checks off",
      dialect: "mysql",
      code: "SET foreign_key_checks = 0;\nALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id);\nSET foreign_key_checks = 1;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE orders\n  ADD CONSTRAINT orders_user_fk FOREIGN KEY (user_id) REFERENCES users (id);",
      errors: [{ line: 2, message: /referencing users\) without NOT VALID/ }],
    },
    {
      code: "ALTER TABLE orders ADD COLUMN user_id int REFERENCES users (id);",
      errors: [{ line: 1 }],
    },
    {
      code: "ALTER TABLE `orders` ADD CONSTRAINT `fk` FOREIGN KEY (`user_id`) REFERENCES `users` (`id`) ON DELETE CASCADE;",
      dialect: "mysql",
      errors: [{ line: 1, message: /ALGORITHM=COPY/ }],
    },
  ],
});
