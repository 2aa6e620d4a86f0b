/** ALTER TYPE … ADD/RENAME VALUE (enums) and ALTER DOMAIN. */
import { noFacts, type StatementModel } from "../../model.js";
import type { BodyOf } from "./context.js";
import { qualified } from "./nodes.js";

/** AlterDomainStmt.subtype: C add constraint, O set not null, V validate constraint. */
const DOMAIN_ACTIONS: Record<string, "add-constraint" | "set-not-null" | "validate-constraint"> = {
  C: "add-constraint",
  O: "set-not-null",
  V: "validate-constraint",
};

/**
 * Inside a transaction block only since Postgres 12, and even then the new value cannot be used
 * before the transaction commits: rule add-enum-value-in-transaction.
 */
export function alterEnum(s: BodyOf<"AlterEnumStmt">): StatementModel {
  const m: StatementModel = {
    kind: "alter-enum",
    name: qualified(s.typeName ?? []),
    action: s.oldVal ? "rename-value" : "add-value",
    value: s.newVal ?? "",
    ifNotExists: s.skipIfNewValExists === true,
    ...noFacts(),
  };
  // The parser leaves newValIsAfter true without a neighbor: only the neighbor says a position.
  if (!s.oldVal && s.newValNeighbor !== undefined)
    m.neighbor = { value: s.newValNeighbor, after: s.newValIsAfter === true };
  return m;
}

export function alterDomain(s: BodyOf<"AlterDomainStmt">): StatementModel {
  const c = s.def && "Constraint" in s.def ? s.def.Constraint : undefined;
  return {
    kind: "alter-domain",
    name: qualified(s.typeName ?? []),
    action: DOMAIN_ACTIONS[s.subtype ?? ""] ?? "other",
    notValid: c?.skip_validation === true,
    ...noFacts(),
  };
}
