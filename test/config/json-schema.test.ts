import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { configJsonSchema } from "../../src/config/json-schema.js";
import { RULE_IDS } from "../../src/core/rules/registry.js";
import { RULE_CATEGORIES } from "../../src/core/rules/types.js";

const committed = JSON.parse(
  readFileSync(new URL("../../schema/migration-warden.schema.json", import.meta.url), "utf8"),
);

test("the committed JSON schema is up to date (regenerate with `npm run schema`)", () => {
  expect(committed).toEqual(configJsonSchema());
});

test("the JSON schema knows every rule id and category and agrees with the validator on examples", () => {
  expect(Object.keys(committed.properties.rules.properties).sort()).toEqual(
    [...RULE_IDS, ...RULE_CATEGORIES].sort(),
  );
  const validate = new Ajv2020({ strict: false }).compile(committed);
  expect(
    validate({
      approval: { count: 2, teams: ["dba"] },
      rules: { "missing-down-migration": "error" },
    }),
  ).toBe(true);
  expect(validate({ approval: { count: 2, reviewers: ["x"] } })).toBe(false);
  expect(validate({ rules: { "not-a-rule": "error" } })).toBe(false);
  expect(validate({ rules: { style: "warning", "prefer-text": "off" } })).toBe(true);
  expect(validate({ rules: { style: "on" } })).toBe(false);
  expect(validate({ directories: [{ path: "m" }] })).toBe(false);
});
