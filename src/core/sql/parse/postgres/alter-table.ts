/** ALTER TABLE and its subcommands, and the RENAME forms that act on a table. */
import type { AlterTableCmd, Node, RangeVar } from "libpg-query";
import {
  noFacts,
  referencedTable,
  type ObjectName,
  type AlterAction,
  type RenamedObject,
  type Span,
  type StatementModel,
} from "../../model.js";
import { column, constraintDef, defaultExpr } from "./columns.js";
import type { BodyOf, PgContext } from "./context.js";
import { label, newOwner, objectName, rel } from "./nodes.js";
import { commandSpans } from "./tokens.js";
import { typeText, withPgType } from "./type-names.js";

/** ALTER TABLE subcommands that take less than a write-blocking lock. */
const WEAK_ALTER = new Set([
  "AT_ValidateConstraint",
  "AT_SetStatistics",
  "AT_SetOptions",
  "AT_ResetOptions",
  "AT_SetRelOptions",
  "AT_ResetRelOptions",
  "AT_ClusterOn",
  "AT_DropCluster",
  "AT_AttachPartition",
]);

export function alterTable(s: BodyOf<"AlterTableStmt">, ctx: PgContext): StatementModel {
  const table = rel(s.relation);
  const cmds = (s.cmds ?? []).flatMap((c) => ("AlterTableCmd" in c ? [c.AlterTableCmd] : []));
  if (s.objtype !== "OBJECT_TABLE") return otherObject(s.objtype, table, cmds);
  const spans = actionSpans(s.relation, cmds.length, ctx);
  const m: StatementModel = {
    kind: "alter-table",
    table,
    actions: cmds.map((c, i) => action(c, spans[i]!, ctx)),
    ...noFacts(),
  };
  if (cmds.some((c) => !WEAK_ALTER.has(c.subtype ?? "") && !isConcurrentDetach(c)))
    m.strongLocks.push(table);
  for (const a of m.actions) {
    const ref = referencedTable(a);
    if (ref) m.strongLocks.push(ref);
  }
  if (cmds.some(isConcurrentDetach)) m.nonTransactional = "DETACH PARTITION … CONCURRENTLY";
  return m;
}

/** ALTER TABLE … RENAME [COLUMN | CONSTRAINT] …: an alter-table with one action. */
export function rename(s: BodyOf<"RenameStmt">, ctx: PgContext): StatementModel {
  const table = rel(s.relation);
  const onTable = (action: AlterAction): StatementModel => ({
    kind: "alter-table",
    table,
    actions: [action],
    ...noFacts(),
    strongLocks: [table],
  });
  const span = (): Span => actionSpans(s.relation, 1, ctx)[0]!;
  if (s.renameType === "OBJECT_TABLE")
    return onTable({
      type: "rename-table",
      to: { ...(table.schema ? { schema: table.schema } : {}), name: s.newname ?? "" },
      span: span(),
    });
  if (s.renameType === "OBJECT_COLUMN" && s.relationType === "OBJECT_TABLE")
    return onTable({
      type: "rename-column",
      from: s.subname ?? "",
      to: s.newname ?? "",
      span: span(),
    });
  if (s.renameType === "OBJECT_TABCONSTRAINT")
    return onTable({
      type: "rename-constraint",
      from: s.subname ?? "",
      to: s.newname ?? "",
      span: span(),
    });
  return {
    kind: "other",
    tag: `RENAME ${label(s.renameType)}`,
    ...(s.renameType === "OBJECT_INDEX"
      ? { renamedIndex: { from: table, to: s.newname ?? "" } }
      : {}),
    ...(s.renameType === "OBJECT_SCHEMA" && s.subname
      ? { renamedSchema: { from: s.subname, to: s.newname ?? "" } }
      : {}),
    ...renamedObject(s),
    ...noFacts(),
  };
}

/** Renames with a field of their own elsewhere (tables, columns, constraints, schemas, indexes). */
const RENAMED_ELSEWHERE = new Set([
  "OBJECT_TABLE",
  "OBJECT_TABCONSTRAINT",
  "OBJECT_DOMCONSTRAINT",
  "OBJECT_SCHEMA",
  "OBJECT_INDEX",
]);

/** Renames named by their relation (`ALTER VIEW v RENAME …`) rather than an object node. */
const RELATION_RENAMES = new Set([
  "OBJECT_VIEW",
  "OBJECT_MATVIEW",
  "OBJECT_SEQUENCE",
  "OBJECT_FOREIGN_TABLE",
]);

/** Objects of a table, named `name ON table`. */
const TABLE_OBJECTS = new Set(["OBJECT_TRIGGER", "OBJECT_POLICY", "OBJECT_RULE"]);

function renamedObject(s: BodyOf<"RenameStmt">): { renamedObject?: RenamedObject } {
  const type = s.renameType ?? "";
  const to = s.newname ?? "";
  if (type === "OBJECT_COLUMN" || type === "OBJECT_ATTRIBUTE") {
    // A column of a table is rename-column's; of a view, materialized view, foreign table or
    // composite type it is this one's.
    if (s.relationType === "OBJECT_TABLE" || !s.relation) return {};
    return {
      renamedObject: {
        objectType: label(s.relationType),
        name: rel(s.relation),
        part: s.subname ?? "",
        to,
      },
    };
  }
  if (RENAMED_ELSEWHERE.has(type)) return {};
  const objectType = label(type);
  if (TABLE_OBJECTS.has(type) && s.relation)
    return {
      renamedObject: { objectType, name: { name: s.subname ?? "" }, table: rel(s.relation), to },
    };
  if (RELATION_RENAMES.has(type) && s.relation)
    return { renamedObject: { objectType, name: rel(s.relation), to } };
  if (s.object) return { renamedObject: { objectType, name: objectName(s.object), to } };
  if (s.subname) return { renamedObject: { objectType, name: { name: s.subname }, to } };
  return {};
}

/**
 * ALTER TABLE … SET SCHEMA moves the table out of the name the application uses, as a rename
 * does: a rename-table action to the same name in the new schema. Other objects keep the tag an
 * unhandled statement gets.
 */
export function setSchema(s: BodyOf<"AlterObjectSchemaStmt">, ctx: PgContext): StatementModel {
  if (s.objectType !== "OBJECT_TABLE" || !s.relation || !s.newschema) {
    const name = s.relation ? rel(s.relation) : s.object ? objectName(s.object) : undefined;
    return {
      kind: "other",
      tag: "AlterObjectSchemaStmt",
      ...(name && s.newschema && s.objectType !== "OBJECT_TABLE"
        ? { movedObject: { objectType: label(s.objectType), name, schema: s.newschema } }
        : {}),
      ...noFacts(),
    };
  }
  const table = rel(s.relation);
  return {
    kind: "alter-table",
    table,
    actions: [
      {
        type: "rename-table",
        to: { schema: s.newschema, name: table.name },
        span: actionSpans(s.relation, 1, ctx)[0]!,
      },
    ],
    ...noFacts(),
    strongLocks: [table],
  };
}

/**
 * ALTER INDEX / MATERIALIZED VIEW … SET TABLESPACE copies the relation under ACCESS EXCLUSIVE;
 * ALTER TYPE … DROP ATTRIBUTE / ALTER ATTRIBUTE … TYPE changes every value of a composite type
 * (and with CASCADE the typed tables' columns). Anything else keeps the tag it always had.
 */
function otherObject(
  objtype: string | undefined,
  name: ObjectName,
  cmds: AlterTableCmd[],
): StatementModel {
  const m: StatementModel = { kind: "other", tag: `ALTER ${label(objtype)}`, ...noFacts() };
  const space = cmds.find((c) => c.subtype === "AT_SetTableSpace");
  if (space && (objtype === "OBJECT_INDEX" || objtype === "OBJECT_MATVIEW")) {
    m.moves = { objects: label(objtype).toLowerCase(), name, to: space.name ?? "" };
    m.strongLocks.push(name);
  }
  if (objtype === "OBJECT_VIEW") {
    const options = cmds.flatMap((c) => {
      if (c.subtype !== "AT_SetRelOptions" && c.subtype !== "AT_ResetRelOptions") return [];
      const names = relOptions(c.def && "List" in c.def ? (c.def.List.items ?? []) : []).map(
        (o) => o.name,
      );
      return [`${c.subtype === "AT_SetRelOptions" ? "SET" : "RESET"} (${names.join(", ")})`];
    });
    if (options.length > 0) m.alteredOptions = { objectType: "VIEW", name, options, settings: [] };
  }
  const owner = cmds.find((c) => c.subtype === "AT_ChangeOwner");
  if (owner) m.ownerChange = { objectType: label(objtype), name, owner: newOwner(owner.newowner) };
  if (objtype === "OBJECT_TYPE") {
    const drops = cmds.filter((c) => c.subtype === "AT_DropColumn").map((c) => c.name ?? "");
    const retypes = cmds.filter((c) => c.subtype === "AT_AlterColumnType").map((c) => c.name ?? "");
    if (drops.length > 0 || retypes.length > 0)
      m.compositeType = {
        name,
        drops,
        retypes,
        cascade: cmds.some((c) => c.behavior === "DROP_CASCADE"),
      };
  }
  return m;
}

/** ALTER TABLE|INDEX|MATERIALIZED VIEW ALL IN TABLESPACE a [OWNED BY …] SET TABLESPACE b. */
export function moveAll(s: BodyOf<"AlterTableMoveAllStmt">): StatementModel {
  return {
    kind: "other",
    tag: "AlterTableMoveAllStmt",
    moves: {
      objects: `every ${label(s.objtype).toLowerCase()}`,
      from: s.orig_tablespacename ?? "",
      to: s.new_tablespacename ?? "",
    },
    ...noFacts(),
  };
}

const TRIGGER_OPTION: Record<string, string> = {
  AT_EnableTrig: "ENABLE TRIGGER",
  AT_EnableTrigAll: "ENABLE TRIGGER",
  AT_EnableTrigUser: "ENABLE TRIGGER",
  AT_DisableTrig: "DISABLE TRIGGER",
  AT_DisableTrigAll: "DISABLE TRIGGER",
  AT_DisableTrigUser: "DISABLE TRIGGER",
  AT_EnableReplicaTrig: "ENABLE REPLICA TRIGGER",
  AT_EnableAlwaysTrig: "ENABLE ALWAYS TRIGGER",
  AT_DisableRule: "DISABLE RULE",
};

const ROW_SECURITY: Record<string, string> = {
  AT_EnableRowSecurity: "ENABLE",
  AT_DisableRowSecurity: "DISABLE",
  AT_ForceRowSecurity: "FORCE",
  AT_NoForceRowSecurity: "NO FORCE",
};

/** pg_class.relreplident letters. */
const REPLICA_IDENTITY: Record<string, string> = {
  d: "DEFAULT",
  f: "FULL",
  n: "NOTHING",
  i: "USING INDEX",
};

/** A storage parameter's value as written (`false`, `0`, `'off'`). */
/** Storage parameters `(name = value, …)` as the model keeps them (`toast.autovacuum_enabled`). */
export function relOptions(items: Node[]): Array<{ name: string; value: string | null }> {
  return items.flatMap((i) =>
    "DefElem" in i && i.DefElem.defname
      ? [
          {
            name: [i.DefElem.defnamespace, i.DefElem.defname]
              .filter((x) => x)
              .join(".")
              .toLowerCase(),
            value: i.DefElem.arg ? argText(i.DefElem.arg) : null,
          },
        ]
      : [],
  );
}

function argText(n: Node): string | null {
  if ("String" in n) return n.String.sval ?? "";
  if ("Integer" in n) return String(n.Integer.ival ?? 0);
  if ("Float" in n) return n.Float.fval ?? "";
  if ("Boolean" in n) return n.Boolean.boolval === true ? "true" : "false";
  if ("TypeName" in n)
    return (n.TypeName.names ?? []).map((x) => ("String" in x ? x.String.sval : "")).join(".");
  return null;
}

const STORAGE: Record<string, "logged" | "unlogged" | "tablespace" | "access-method"> = {
  AT_SetLogged: "logged",
  AT_SetUnLogged: "unlogged",
  AT_SetTableSpace: "tablespace",
  AT_SetAccessMethod: "access-method",
};

function action(c: AlterTableCmd, span: Span, ctx: PgContext): AlterAction {
  const name = c.name ?? "";
  const def = c.def;
  switch (c.subtype) {
    case "AT_AddColumn":
      if (def && "ColumnDef" in def)
        return {
          type: "add-column",
          column: column(def.ColumnDef, ctx),
          ...(c.missing_ok ? { ifNotExists: true } : {}),
          span,
        };
      break;
    case "AT_DropColumn":
      return {
        type: "drop-column",
        column: name,
        cascade: c.behavior === "DROP_CASCADE",
        ...(c.missing_ok ? { ifExists: true as const } : {}),
        span,
      };
    case "AT_AlterColumnType": {
      const cd = def && "ColumnDef" in def ? def.ColumnDef : undefined;
      return {
        type: "alter-column-type",
        column: name,
        dataType: typeText(cd?.typeName),
        ...withPgType(cd?.typeName, ctx.loc),
        using: cd?.raw_default !== undefined,
        syntax: "alter-type",
        span,
      };
    }
    case "AT_SetNotNull":
      return { type: "set-not-null", column: name, span };
    case "AT_DropNotNull":
      return { type: "drop-not-null", column: name, span };
    case "AT_ColumnDefault":
      return def
        ? { type: "set-default", column: name, default: defaultExpr(def, ctx), span }
        : { type: "drop-default", column: name, span };
    case "AT_AddConstraint":
      if (def && "Constraint" in def)
        return { type: "add-constraint", constraint: constraintDef(def.Constraint), span };
      break;
    case "AT_ValidateConstraint":
      return { type: "validate-constraint", name, span };
    case "AT_DetachPartition":
      if (def && "PartitionCmd" in def)
        return {
          type: "detach-partition",
          partition: rel(def.PartitionCmd.name),
          concurrently: def.PartitionCmd.concurrent === true,
          span,
        };
      break;
    case "AT_ResetRelOptions":
    case "AT_SetRelOptions": {
      // The option names, for rules that read one (CockroachDB's row-level TTL: truncate-table).
      const items = def && "List" in def ? (def.List.items ?? []) : [];
      const names = items.flatMap((i) =>
        "DefElem" in i && i.DefElem.defname ? [i.DefElem.defname.toLowerCase()] : [],
      );
      const settings = relOptions(items);
      return {
        type: "other",
        detail: label(c.subtype),
        option: c.subtype === "AT_SetRelOptions" ? "SET" : "RESET",
        value: names.join(","),
        settings,
        span,
      };
    }
    case "AT_EnableTrig":
    case "AT_EnableTrigAll":
    case "AT_EnableTrigUser":
    case "AT_DisableTrig":
    case "AT_DisableTrigAll":
    case "AT_DisableTrigUser":
    case "AT_EnableReplicaTrig":
    case "AT_EnableAlwaysTrig":
    case "AT_DisableRule":
      return {
        type: "other",
        detail: label(c.subtype),
        option: TRIGGER_OPTION[c.subtype]!,
        value:
          c.subtype === "AT_DisableTrigAll" || c.subtype === "AT_EnableTrigAll"
            ? "ALL"
            : c.subtype === "AT_DisableTrigUser" || c.subtype === "AT_EnableTrigUser"
              ? "USER"
              : name,
        span,
      };
    case "AT_EnableRowSecurity":
    case "AT_DisableRowSecurity":
    case "AT_ForceRowSecurity":
    case "AT_NoForceRowSecurity":
      return {
        type: "other",
        detail: label(c.subtype),
        option: "ROW LEVEL SECURITY",
        value: ROW_SECURITY[c.subtype]!,
        span,
      };
    case "AT_ReplicaIdentity": {
      const kind =
        def && "ReplicaIdentityStmt" in def ? def.ReplicaIdentityStmt.identity_type : undefined;
      return {
        type: "other",
        detail: label(c.subtype),
        option: "REPLICA IDENTITY",
        value: REPLICA_IDENTITY[kind ?? ""] ?? "?",
        span,
      };
    }
    case "AT_SetLogged":
    case "AT_SetUnLogged":
    case "AT_SetTableSpace":
    case "AT_SetAccessMethod":
      return {
        type: "set-storage",
        storage: STORAGE[c.subtype]!,
        ...(c.name !== undefined ? { value: c.name } : {}),
        span,
      };
    case "AT_SetIdentity":
    case "AT_AddIdentity":
    case "AT_DropIdentity":
      return {
        type: "other",
        detail: label(c.subtype),
        identity: { column: name, changes: identityChanges(c) },
        span,
      };
    case "AT_ChangeOwner":
      return { type: "other", detail: label(c.subtype), owner: newOwner(c.newowner), span };
    case "AT_DropConstraint":
      return {
        type: "drop-constraint",
        name,
        cascade: c.behavior === "DROP_CASCADE",
        ...(c.missing_ok ? { ifExists: true as const } : {}),
        span,
      };
  }
  return { type: "other", detail: label(c.subtype), span };
}

/**
 * Where each command is written, from the parser's tokens. Falling back to the whole statement
 * is a bug the span tests catch (every action must start at its own keyword), kept only so that
 * a finding is never lost over a position.
 */
function actionSpans(relation: RangeVar | undefined, count: number, ctx: PgContext): Span[] {
  const at = relation?.location;
  let spans: Span[] | null = null;
  if (at !== undefined && at >= 0) {
    try {
      spans = commandSpans(ctx.input, ctx.loc.index(at), count);
    } catch {
      spans = null; // the scanner rejected what the parser accepted: impossible in practice
    }
  }
  return spans ?? Array.from({ length: count }, () => ctx.input.span);
}

function isConcurrentDetach(c: AlterTableCmd): boolean {
  return (
    c.subtype === "AT_DetachPartition" &&
    c.def !== undefined &&
    "PartitionCmd" in c.def &&
    c.def.PartitionCmd.concurrent === true
  );
}

/** What an identity command changes: `RESTART`, `SET INCREMENT BY`, `SET GENERATED ALWAYS`… */
function identityChanges(c: AlterTableCmd): string[] {
  if (c.subtype === "AT_DropIdentity") return ["DROP IDENTITY"];
  if (c.subtype === "AT_AddIdentity") {
    const k = c.def && "Constraint" in c.def ? c.def.Constraint : undefined;
    return [`ADD GENERATED ${k?.generated_when === "a" ? "ALWAYS" : "BY DEFAULT"} AS IDENTITY`];
  }
  const items = c.def && "List" in c.def ? (c.def.List.items ?? []) : [];
  return items.flatMap((i) => {
    const d = "DefElem" in i ? i.DefElem : undefined;
    if (!d?.defname) return [];
    if (d.defname === "generated") {
      const v = d.arg && "Integer" in d.arg ? d.arg.Integer.ival : undefined;
      return [`SET GENERATED ${v === 97 ? "ALWAYS" : "BY DEFAULT"}`];
    }
    return [d.defname === "restart" ? "RESTART" : `SET ${sequenceOption(d.defname)}`];
  });
}

/** A sequence option's keyword: `increment` → `INCREMENT BY`, `owned_by` → `OWNED BY`. */
export function sequenceOption(defname: string): string {
  if (defname === "increment") return "INCREMENT BY";
  return defname.replace(/_/g, " ").toUpperCase();
}
