/** Privileges, roles and row security: GRANT/REVOKE, roles and user mappings (passwords), policies. */
import type { Node } from "libpg-query";
import { tokenize } from "../../lexer.js";
import { noFacts, type PasswordLiteral, type Span, type StatementModel } from "../../model.js";
import type { BodyOf, HandlerTable, PgContext } from "./context.js";
import { defBool, hasOption, label, newOwner, objectName, rel, roleName } from "./nodes.js";

export function grant(s: BodyOf<"GrantStmt">): StatementModel {
  const onTables = s.targtype === "ACL_TARGET_OBJECT" && s.objtype === "OBJECT_TABLE";
  const objects = s.objects ?? [];
  const tables = objects.flatMap((o) => ("RangeVar" in o ? [rel(o.RangeVar)] : []));
  return {
    ...(onTables && tables.length > 0 && tables.length === objects.length ? { tables } : {}),
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

/** libpg-query's object type of ALTER DEFAULT PRIVILEGES … ON <class>, as the class is written. */
const DEFAULT_CLASSES: Record<string, string> = {
  OBJECT_TABLE: "tables",
  OBJECT_SEQUENCE: "sequences",
  OBJECT_FUNCTION: "functions",
  OBJECT_PROCEDURE: "routines",
  OBJECT_ROUTINE: "routines",
  OBJECT_TYPE: "types",
  OBJECT_SCHEMA: "schemas",
  OBJECT_LARGEOBJECT: "large objects",
};

/**
 * ALTER DEFAULT PRIVILEGES [FOR ROLE r] [IN SCHEMA s] GRANT|REVOKE …: a grant that every object
 * of the class created later carries, read as that grant so the privilege rules see it.
 */
export function defaultPrivileges(s: BodyOf<"AlterDefaultPrivilegesStmt">): StatementModel {
  const m = grant(s.action ?? {});
  if (m.kind === "grant") m.defaults = DEFAULT_CLASSES[s.action?.objtype ?? ""] ?? "objects";
  return m;
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

/** ALTER ROLE/USER/GROUP … options: the passwords, and which options (alter-role). */
function alterRole(s: BodyOf<"AlterRoleStmt">, ctx: PgContext): StatementModel {
  const m = withPasswords("AlterRoleStmt")(s, ctx);
  if (m.kind === "other" && s.role)
    m.alteredRole = { names: [roleName({ RoleSpec: s.role })], options: roleOptions(s.options) };
  return m;
}

/** ALTER ROLE name|ALL [IN DATABASE d] SET|RESET …: a setting every session of the role gets. */
export function alterRoleSet(s: BodyOf<"AlterRoleSetStmt">): StatementModel {
  const set = s.setstmt;
  const reset = set?.kind === "VAR_RESET" || set?.kind === "VAR_RESET_ALL";
  const option = `${reset ? "RESET" : "SET"} ${set?.name ?? "ALL"}`;
  return {
    kind: "other",
    tag: "AlterRoleSetStmt",
    alteredRole: { names: [s.role ? roleName({ RoleSpec: s.role }) : "ALL"], options: [option] },
    ...noFacts(),
  };
}

const BOOLEAN_OPTIONS: Record<string, string> = {
  superuser: "SUPERUSER",
  createrole: "CREATEROLE",
  createdb: "CREATEDB",
  canlogin: "LOGIN",
  inherit: "INHERIT",
  replication: "REPLICATION",
  bypassrls: "BYPASSRLS",
  isreplication: "REPLICATION",
};

const VALUE_OPTIONS: Record<string, string> = {
  connectionlimit: "CONNECTION LIMIT",
  password: "PASSWORD",
  validUntil: "VALID UNTIL",
  rolemembers: "ADD/DROP USER",
};

function roleOptions(options: Node[] | undefined): string[] {
  const out: string[] = [];
  for (const o of options ?? []) {
    if (!("DefElem" in o)) continue;
    const d = o.DefElem;
    const name = d.defname ?? "";
    const flag = BOOLEAN_OPTIONS[name];
    if (flag) out.push(defBool(d) ? flag : `NO${flag}`);
    else out.push(VALUE_OPTIONS[name] ?? name.toUpperCase());
  }
  return out;
}

export const PASSWORD_OPTIONS: HandlerTable = {
  AlterRoleStmt: alterRole,
  AlterRoleSetStmt: alterRoleSet,
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

/** ALTER FUNCTION|TYPE|SCHEMA|DATABASE|… OWNER TO role (tables, views and sequences: ALTER TABLE). */
export function alterOwner(s: BodyOf<"AlterOwnerStmt">): StatementModel {
  return {
    kind: "other",
    tag: "AlterOwnerStmt",
    ownerChange: {
      objectType: label(s.objectType),
      name: s.object ? objectName(s.object) : s.relation ? rel(s.relation) : null,
      owner: newOwner(s.newowner),
    },
    ...noFacts(),
  };
}

/** REASSIGN OWNED BY a TO b: everything a owns in the database now belongs to b. */
export function reassignOwned(s: BodyOf<"ReassignOwnedStmt">): StatementModel {
  return {
    kind: "other",
    tag: "ReassignOwnedStmt",
    ownerChange: { objectType: "OWNED", name: null, owner: newOwner(s.newrole) },
    ...noFacts(),
  };
}
