/** Statement model facts added for the session 17 Postgres catalog rules. */
import { expect, test } from "@jest/globals";
import { models } from "../../../helpers/source.js";

test("Postgres CREATE TYPE … AS ENUM: its labels in order; other CREATE TYPEs have none", async () => {
  const ms = await models(
    "CREATE TYPE s.mood AS ENUM ('sad', 'o''k', 'Happy');\nCREATE TYPE e AS ENUM ();\nCREATE TYPE pair AS (a int);",
  );
  expect(ms.map((m) => (m.kind === "create-other" ? (m.enumLabels ?? null) : "?"))).toEqual([
    ["sad", "o'k", "Happy"],
    [],
    null,
  ]);
});
