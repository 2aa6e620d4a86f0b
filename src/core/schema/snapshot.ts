/**
 * A merged schema stored as data and read back (the CLI's on-disk cache of the merged history,
 * src/cli/schema-cache.ts). Reading checks every field's shape: data that does not match is
 * refused (null), never half-trusted, and the caller builds the schema from the history again.
 */
import { DIALECTS } from "../types.js";
import { MergedSchema, type SchemaSnapshot } from "./merged.js";

// Hand-written checks rather than zod: a lint reads a snapshot of every table on each run, and
// zod's checks cost about as much as building the schema again.

type Check = (v: unknown) => boolean;
const str: Check = (v) => typeof v === "string";
const bool: Check = (v) => typeof v === "boolean";
const yes: Check = (v) => v === true;
const oneOf =
  (values: readonly string[]): Check =>
  (v) =>
    typeof v === "string" && values.includes(v);
const array =
  (item: Check): Check =>
  (v) =>
    Array.isArray(v) && v.every(item);

/** A plain object with exactly the `required` keys and some of the `optional` ones, all valid. */
function object(required: Record<string, Check>, optional: Record<string, Check> = {}): Check {
  return (v) => {
    if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
    const o = v as Record<string, unknown>;
    for (const k in required) if (!Object.hasOwn(o, k) || !required[k]!(o[k])) return false;
    for (const k of Object.keys(o)) {
      if (Object.hasOwn(required, k)) continue;
      if (!Object.hasOwn(optional, k) || !optional[k]!(o[k])) return false;
    }
    return true;
  };
}

const name = object({ name: str }, { schema: str });
const column = object(
  { name: str, dataType: str, notNull: bool },
  {
    nullabilityUnsure: yes,
    default: str,
    onUpdate: str,
    comment: str,
    charset: str,
    collation: str,
    autoIncrement: yes,
    generated: oneOf(["stored", "virtual"]),
  },
);
const table = object(
  {
    name,
    columns: array((e) => Array.isArray(e) && e.length === 2 && str(e[0]) && column(e[1])),
    checks: array(object({ validated: bool }, { name: str, notNullColumn: str })),
    indexes: array(
      object(
        { columns: array((c) => c === null || str(c)), unique: bool, partial: bool },
        { name: str },
      ),
    ),
  },
  { unknown: str, partitioned: yes },
);
const declaration = object(
  {
    name: str,
    args: array(str),
    required: (v) => Number.isInteger(v) && (v as number) >= 0,
    variadic: bool,
    volatility: oneOf(["immutable", "stable", "volatile"]),
  },
  { schema: str },
);
const snapshot = object(
  {
    dialect: oneOf(DIALECTS),
    origin: oneOf(["catalog", "history"]),
    tables: array(table),
    pathChanged: bool,
    routines: array(declaration),
  },
  { blind: str },
);

/** `schema` as JSON text. */
export function schemaToJson(schema: MergedSchema): string {
  return JSON.stringify(schema.snapshot());
}

/** The schema `json` holds, or null when it is not exactly a snapshot (truncated, altered…). */
export function schemaFromJson(json: string): MergedSchema | null {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch {
    return null;
  }
  return snapshot(data) ? MergedSchema.restore(data as SchemaSnapshot) : null;
}
