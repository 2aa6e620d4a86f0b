import { displayName, type PgType } from "../../sql/model.js";
import { ruleMeta } from "../types.js";
import { builtin } from "./column-types.js";
import { PG, sqlRule } from "./types.js";

const meta = ruleMeta({
  id: "column-alignment-padding",
  defaultSeverity: "notice",
  optIn: true,
  dialects: PG,
  category: "style",
  description:
    "CREATE TABLE whose fixed-width columns are ordered so that Postgres pads between them to align each value (an 8-byte bigint after a 1-byte boolean starts 7 bytes later): every row stores the padding, and the order cannot be changed later without rebuilding the table.",
  saferAlternative:
    "Order the columns by alignment when the table is created: 8-byte types (bigint, timestamptz, float8…) first, then 4-byte, 2-byte and 1-byte ones, variable-length types (text, numeric, jsonb…) last.",
  suppressible: true,
});

/** pg_type.typlen and typalign (bytes) of fixed-width built-in types. */
const FIXED: Record<string, [number, number]> = {
  bool: [1, 1],
  char: [1, 1], // "char", the one-byte internal type (char(n) is bpchar, variable-length)
  int2: [2, 2],
  smallserial: [2, 2],
  int4: [4, 4],
  serial: [4, 4],
  float4: [4, 4],
  oid: [4, 4],
  date: [4, 4],
  xid: [4, 4],
  cid: [4, 4],
  int8: [8, 8],
  bigserial: [8, 8],
  float8: [8, 8],
  money: [8, 8],
  time: [8, 8],
  timestamp: [8, 8],
  timestamptz: [8, 8],
  pg_lsn: [8, 8],
  xid8: [8, 8],
  macaddr8: [8, 4],
  macaddr: [6, 4],
  tid: [6, 2],
  timetz: [12, 8],
  interval: [16, 8],
  point: [16, 8],
  uuid: [16, 1],
  circle: [24, 8],
  line: [24, 8],
  lseg: [32, 8],
  box: [32, 8],
  name: [64, 1],
};

interface Col {
  name: string;
  len: number;
  align: number;
}

/** The fixed width of a column's type; null for variable-length, arrays and unknown types. */
function fixed(name: string, t: PgType | undefined): Col | null {
  if (!t || t.array || !builtin(t, ...Object.keys(FIXED))) return null;
  const [len, align] = FIXED[t.name]!;
  return { name, len, align };
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/**
 * Only what the table's text decides is claimed: the padding between the fixed-width columns
 * before the first variable-length (or unknown) one, against the fixed-width columns ordered by
 * alignment. With fixed widths alone the row sizes (rounded up to 8 bytes, as Postgres stores
 * them) are compared exactly. With variable-length columns a value's length moves what follows
 * it and the rounding hides part of a small saving, so at least 8 bytes of padding are required.
 * NULLs take no space: this is about rows whose columns hold values. Down files restore a
 * table's earlier shape and are left alone.
 */
export const columnAlignmentPadding = sqlRule({
  meta,
  check(ctx, report) {
    if (ctx.direction === "down") return;
    for (const a of ctx.parsed) {
      const m = a.model;
      if (m.kind !== "create-table" || m.temporary || m.asQuery || m.derived) continue;
      const cols = m.columns.map((c) => fixed(c.name, c.pgType));
      if (cols.length < 2) continue;
      const firstVar = cols.findIndex((c) => c === null);
      const lead = (firstVar < 0 ? cols : cols.slice(0, firstVar)) as Col[];
      const all = cols.filter((c): c is Col => c !== null);
      // Stable: equal alignments keep their written order.
      const best = [...all].sort((x, y) => y.align - x.align);
      const now = padding(lead);
      const then = padding(best);
      const saved = now.total - then.total;
      if (saved <= 0) continue;
      const allFixed = firstVar < 0;
      const smaller = allFixed ? alignUp(now.end, 8) - alignUp(then.end, 8) : saved;
      if (allFixed ? smaller <= 0 : saved < 8) continue;
      const where = lead
        .map((c, i) => (now.pads[i]! > 0 ? `${now.pads[i]} before ${c.name}` : ""))
        .filter((x) => x)
        .join(", ");
      const rest = m.columns.filter((_, i) => cols[i] === null).map((c) => c.name);
      const order = [...best.map((c) => c.name), ...rest];
      report({
        ...ctx.at(a),
        message: `CREATE TABLE ${displayName(m.table)}: in the order written, Postgres pads the fixed-width columns to align them, ${now.total} bytes per row (${where}); ordered by alignment they need ${then.total === 0 ? "none" : then.total}, so ${allFixed ? `each row would be ${smaller} bytes smaller (rows are stored rounded up to 8 bytes)` : `each row would carry ${saved} bytes less padding (rows are stored rounded up to 8 bytes, so the saving shows in 8-byte steps)`}. The order cannot be changed later without rebuilding the table.`,
        suggestion: `Order the columns by alignment: ${order.join(", ")} (8-byte types first, then 4-, 2- and 1-byte ones, variable-length last).`,
      });
    }
  },
});

function padding(cols: readonly Col[]): { pads: number[]; total: number; end: number } {
  let off = 0;
  const pads = cols.map((c) => {
    const start = alignUp(off, c.align);
    const pad = start - off;
    off = start + c.len;
    return pad;
  });
  return { pads, total: pads.reduce((s, p) => s + p, 0), end: off };
}
