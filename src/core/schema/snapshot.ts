/**
 * A merged schema stored as data and read back (the CLI's on-disk cache of the merged history,
 * src/cli/schema-cache.ts). Reading checks every field's shape: data that does not match is
 * refused (null), never half-trusted, and the caller builds the schema from the history again.
 */
import { z } from "zod";
import { DIALECTS } from "../types.js";
import { MergedSchema, type SchemaSnapshot } from "./merged.js";

const name = z.strictObject({ schema: z.string().optional(), name: z.string() });

const column = z.strictObject({
  name: z.string(),
  dataType: z.string(),
  notNull: z.boolean(),
  nullabilityUnsure: z.literal(true).optional(),
  default: z.string().optional(),
  onUpdate: z.string().optional(),
  comment: z.string().optional(),
  charset: z.string().optional(),
  collation: z.string().optional(),
  autoIncrement: z.literal(true).optional(),
});

const table = z.strictObject({
  name,
  columns: z.array(z.tuple([z.string(), column])),
  checks: z.array(
    z.strictObject({
      name: z.string().optional(),
      notNullColumn: z.string().optional(),
      validated: z.boolean(),
    }),
  ),
  indexes: z.array(
    z.strictObject({
      name: z.string().optional(),
      columns: z.array(z.string().nullable()),
      unique: z.boolean(),
      partial: z.boolean(),
    }),
  ),
  unknown: z.string().optional(),
});

const declaration = z.strictObject({
  schema: z.string().optional(),
  name: z.string(),
  args: z.array(z.string()),
  required: z.number().int().nonnegative(),
  variadic: z.boolean(),
  volatility: z.enum(["immutable", "stable", "volatile"]),
});

const snapshot = z.strictObject({
  dialect: z.enum(DIALECTS),
  origin: z.enum(["catalog", "history"]),
  tables: z.array(table),
  pathChanged: z.boolean(),
  blind: z.string().optional(),
  routines: z.array(declaration),
});

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
  const parsed = snapshot.safeParse(data);
  return parsed.success ? MergedSchema.restore(parsed.data as SchemaSnapshot) : null;
}
