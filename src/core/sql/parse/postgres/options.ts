/**
 * ALTER statements that change how an existing object behaves rather than its shape: routine
 * options (SECURITY DEFINER, SET …, volatility), view options, database and server settings,
 * extension updates. They become `other` statements carrying `alteredOptions`.
 */
import type { Node, VariableSetStmt } from "libpg-query";
import { noFacts, type ObjectName, type StatementModel } from "../../model.js";
import type { HandlerTable } from "./context.js";
import { constText, label, qualified } from "./nodes.js";

export interface Setting {
  name: string;
  value: string | null;
}

/** A SET/RESET clause: its keyword form and, for SET … TO value, the setting and its value. */
export function settingOf(v: VariableSetStmt): { option: string; setting?: Setting } {
  const name = (v.name ?? "").toLowerCase();
  switch (v.kind) {
    case "VAR_SET_VALUE":
      return {
        option: `SET ${name}`,
        setting: { name, value: (v.args ?? []).map(constText).join(", ") },
      };
    case "VAR_SET_DEFAULT":
      return { option: `SET ${name} TO DEFAULT`, setting: { name, value: null } };
    case "VAR_SET_CURRENT":
      return { option: `SET ${name} FROM CURRENT` };
    case "VAR_RESET_ALL":
      return { option: "RESET ALL" };
    default:
      return { option: `RESET ${name}` };
  }
}

/** The SET clauses of a CREATE FUNCTION/PROCEDURE's options (`SET role = x`). */
export function routineSettings(options: Node[] | undefined): Setting[] {
  const out: Setting[] = [];
  for (const o of options ?? []) {
    if (!("DefElem" in o) || o.DefElem.defname !== "set") continue;
    const arg = o.DefElem.arg;
    if (arg && "VariableSetStmt" in arg) {
      const s = settingOf(arg.VariableSetStmt).setting;
      if (s) out.push(s);
    }
  }
  return out;
}

/** ALTER FUNCTION's DefElem names as the keywords written. */
function routineOption(defname: string, arg: Node | undefined): string {
  const text = arg ? constText(arg) : "";
  const bool = arg && "Boolean" in arg ? arg.Boolean.boolval === true : undefined;
  switch (defname) {
    case "security":
      return bool ? "SECURITY DEFINER" : "SECURITY INVOKER";
    case "strict":
      return bool ? "STRICT" : "CALLED ON NULL INPUT";
    case "leakproof":
      return bool ? "LEAKPROOF" : "NOT LEAKPROOF";
    case "volatility":
    case "parallel": {
      const v = arg && "String" in arg ? (arg.String.sval ?? "") : text;
      return `${defname === "parallel" ? "PARALLEL " : ""}${v.toUpperCase()}`;
    }
    default:
      return defname.toUpperCase();
  }
}

function altered(
  tag: string,
  objectType: string,
  name: ObjectName | null,
  options: string[],
  settings: Setting[] = [],
): StatementModel {
  return {
    kind: "other",
    tag,
    alteredOptions: { objectType, name, options, settings },
    ...noFacts(),
  };
}

function setClause(tag: string, objectType: string, name: ObjectName | null, v?: VariableSetStmt) {
  const s = v ? settingOf(v) : { option: "SET" };
  return altered(tag, objectType, name, [s.option], s.setting ? [s.setting] : []);
}

export const OPTIONS: HandlerTable = {
  AlterFunctionStmt: (s) => {
    const options: string[] = [];
    const settings: Setting[] = [];
    for (const a of s.actions ?? []) {
      if (!("DefElem" in a)) continue;
      const d = a.DefElem;
      if (d.defname === "set" && d.arg && "VariableSetStmt" in d.arg) {
        const c = settingOf(d.arg.VariableSetStmt);
        options.push(c.option);
        if (c.setting) settings.push(c.setting);
      } else options.push(routineOption(d.defname ?? "", d.arg));
    }
    return altered(
      "AlterFunctionStmt",
      label(s.objtype),
      qualified(s.func?.objname ?? []),
      options,
      settings,
    );
  },
  AlterDatabaseSetStmt: (s) =>
    setClause("AlterDatabaseSetStmt", "DATABASE", { name: s.dbname ?? "" }, s.setstmt),
  AlterDatabaseStmt: (s) =>
    altered(
      "AlterDatabaseStmt",
      "DATABASE",
      { name: s.dbname ?? "" },
      (s.options ?? []).flatMap((o) =>
        "DefElem" in o ? [(o.DefElem.defname ?? "").replace(/_/g, " ").toUpperCase()] : [],
      ),
    ),
  // Refused inside a transaction block (error 25001).
  AlterSystemStmt: (s) => ({
    ...setClause("AlterSystemStmt", "SYSTEM", null, s.setstmt),
    nonTransactional: "ALTER SYSTEM",
  }),
  AlterExtensionStmt: (s) => {
    const to = (s.options ?? []).find((o) => "DefElem" in o && o.DefElem.defname === "new_version");
    const arg = to && "DefElem" in to ? to.DefElem.arg : undefined;
    const version = arg && "String" in arg ? (arg.String.sval ?? "") : arg ? constText(arg) : "";
    return altered("AlterExtensionStmt", "EXTENSION", { name: s.extname ?? "" }, [
      version ? `UPDATE TO ${version}` : "UPDATE",
    ]);
  },
  AlterExtensionContentsStmt: (s) =>
    altered("AlterExtensionContentsStmt", "EXTENSION", { name: s.extname ?? "" }, [
      `${s.action === 1 ? "ADD" : "DROP"} ${label(s.objtype)}`,
    ]),
};
