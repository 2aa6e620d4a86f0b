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

test("Postgres foreign keys: the ON DELETE action, column and table constraints", async () => {
  const [t, a] = await models(
    "CREATE TABLE t (a int REFERENCES p ON DELETE CASCADE, b int REFERENCES p, c int, FOREIGN KEY (c) REFERENCES p ON UPDATE CASCADE ON DELETE SET NULL);\nALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (a) REFERENCES p ON DELETE RESTRICT, ADD FOREIGN KEY (b) REFERENCES p ON DELETE NO ACTION;",
  );
  if (t?.kind !== "create-table" || a?.kind !== "alter-table") throw new Error("models");
  expect(t.columns.map((c) => c.onDelete ?? null)).toEqual(["CASCADE", null, null]);
  expect(t.constraints.map((c) => c.onDelete ?? null)).toEqual(["SET NULL"]);
  expect(a.actions.map((x) => (x.type === "add-constraint" ? x.constraint.onDelete : "?"))).toEqual(
    ["RESTRICT", undefined],
  );
});

test("Postgres ALTER SEQUENCE, setval() and identity commands: what changes", async () => {
  const [seq, sel, alt] = await models(
    "ALTER SEQUENCE s.q RESTART INCREMENT 2 CYCLE START 1 CACHE 5;\nSELECT setval('\"Q\"', 3), setval('a.b', 4);\nALTER TABLE t ALTER id RESTART, ALTER id DROP IDENTITY, ALTER c SET STATISTICS 5;",
  );
  expect(seq?.kind === "other" && seq.sequenceChange).toEqual({
    name: { schema: "s", name: "q" },
    changes: ["RESTART", "INCREMENT BY", "CYCLE"],
  });
  expect(
    sel?.effects?.embedded.map((e) => (e.model.kind === "other" ? e.model.sequenceChange : null)),
  ).toEqual([
    { name: { name: "Q" }, changes: ["setval()"] },
    { name: { schema: "a", name: "b" }, changes: ["setval()"] },
  ]);
  expect(
    alt?.kind === "alter-table" && alt.actions.map((x) => (x.type === "other" ? x.identity : "?")),
  ).toEqual([
    { column: "id", changes: ["RESTART"] },
    { column: "id", changes: ["DROP IDENTITY"] },
    undefined,
  ]);
});
