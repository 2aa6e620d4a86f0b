/** Statement model facts added for the session 16 rules, in each parser that fills them. */
import { expect, test } from "@jest/globals";
import { models } from "../../../helpers/source.js";

test("Postgres ALTER TYPE … ADD VALUE: the neighbor of BEFORE/AFTER, none without", async () => {
  const ms = await models(
    "ALTER TYPE s.mood ADD VALUE 'meh';\nALTER TYPE mood ADD VALUE IF NOT EXISTS 'ok' BEFORE 'sad';\nALTER TYPE mood ADD VALUE 'great' AFTER 'happy';\nALTER TYPE mood RENAME VALUE 'sad' TO 'blue';",
  );
  expect(ms.map((m) => (m.kind === "alter-enum" ? (m.neighbor ?? null) : "?"))).toEqual([
    null,
    { value: "sad", after: false },
    { value: "happy", after: true },
    null,
  ]);
});
