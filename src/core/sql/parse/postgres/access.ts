/** Privileges, roles and row security: GRANT/REVOKE, roles and user mappings (passwords), policies. */
import type { Node } from "libpg-query";
import { tokenize } from "../../lexer.js";
import { noFacts, type PasswordLiteral, type Span, type StatementModel } from "../../model.js";
import type { BodyOf, HandlerTable, PgContext } from "./context.js";
import { hasOption, rel, roleName } from "./nodes.js";

export function grant(s: BodyOf<"GrantStmt">): StatementModel {
  return {
    kind: "grant",
    revoke: s.is_grant !== true,
    target: "privileges",
    privileges: s.privileges?.length
      ? s.privileges.map((p) => ("AccessPriv" in p ? (p.AccessPriv.priv_name ?? "all") : "?"))
      : ["all"],
    grantees: (s.grantees ?? []).map(roleName),
    withGrantOption: s.grant_option === true,
    ...noFacts(),
  };
}

export function grantRole(s: BodyOf<"GrantRoleStmt">): StatementModel {
  return {
    kind: "grant",
    revoke: s.is_grant !== true,
    target: "role",
    privileges: (s.granted_roles ?? []).map((p) =>
      "AccessPriv" in p ? (p.AccessPriv.priv_name ?? "?") : "?",
    ),
    grantees: (s.grantee_roles ?? []).map(roleName),
    withGrantOption: hasOption(s.opt, "admin"),
    ...noFacts(),
  };
}

export function createRole(s: BodyOf<"CreateRoleStmt">, ctx: PgContext): StatementModel {
  const m: StatementModel = {
    kind: "create-other",
    objectType: "role",
    name: { name: s.role ?? "" },
    ...noFacts(),
  };
  m.passwords = passwords(s.options, ctx);
  return m;
}

/** Statements whose options may carry a password, recorded under their statement type. */
function withPasswords(tag: string) {
  return (s: { options?: Node[] }, ctx: PgContext): StatementModel => {
    const m: StatementModel = { kind: "other", tag, ...noFacts() };
    m.passwords = passwords(s.options, ctx);
    return m;
  };
}

export const PASSWORD_OPTIONS: HandlerTable = {
  AlterRoleStmt: withPasswords("AlterRoleStmt"),
  CreateUserMappingStmt: withPasswords("CreateUserMappingStmt"),
  AlterUserMappingStmt: withPasswords("AlterUserMappingStmt"),
};

export function policy(s: BodyOf<"CreatePolicyStmt"> | BodyOf<"AlterPolicyStmt">): StatementModel {
  return { kind: "other", tag: "POLICY", ...noFacts(), strongLocks: [rel(s.table)] };
}

function passwords(options: Node[] | undefined, ctx: PgContext): PasswordLiteral[] {
  const out: PasswordLiteral[] = [];
  const { text, base } = ctx.input;
  for (const o of options ?? []) {
    if (!("DefElem" in o) || o.DefElem.defname !== "password") continue;
    const arg = o.DefElem.arg;
    if (!arg || !("String" in arg)) continue; // PASSWORD NULL
    const value = arg.String.sval ?? "";
    const at = ctx.loc.index(o.DefElem.location ?? 0);
    const span = literalSpanFrom(text, at, base);
    out.push({
      span,
      hashed: /^md5[0-9a-f]{32}$/i.test(value) || /^SCRAM-SHA-256\$/.test(value),
      clause: text.slice(span.start - base, span.end - base),
    });
  }
  return out;
}

/** From a clause keyword (PASSWORD) to the end of the string literal that follows it. */
function literalSpanFrom(text: string, from: number, base: number): Span {
  const toks = tokenize(text, "postgres", from);
  const lit = toks.slice(0, 4).find((t) => t.kind === "string");
  return { start: base + from, end: base + (lit ? lit.end : (toks[0]?.end ?? from)) };
}
