import { ruleTester } from "../../../helpers/rule-tester.js";

ruleTester("validate-in-same-transaction", {
  valid: [
    {
      name: "VALIDATE in a later migration",
      files: {
        "2_a.up.sql":
          "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;",
        "3_b.up.sql": "ALTER TABLE o VALIDATE CONSTRAINT fk;",
      },
    },
    {
      name: "x-multi-statement: each statement commits on its own",
      multiStatement: true,
      code: "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT fk;",
    },
  ],
  invalid: [
    {
      code: "ALTER TABLE o ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT fk;",
      errors: [{ line: 2, message: /line 1/ }],
    },
    {
      name: "x-multi-statement with both inside one BEGIN … COMMIT",
      multiStatement: true,
      code: "BEGIN;\nALTER TABLE o ADD CONSTRAINT c CHECK (a > 0) NOT VALID;\nALTER TABLE o VALIDATE CONSTRAINT c;\nCOMMIT;",
      errors: [{ line: 3 }],
    },
  ],
});
