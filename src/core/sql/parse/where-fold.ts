/**
 * A little arithmetic for the WHERE readers (where.ts for Postgres, node-sql-parser/where.ts for
 * MySQL and SQLite): both sides of a comparison as linear forms, a constant plus multiples of
 * opaque terms (a column, a deterministic call, anything else the reader keys by its tree). When
 * the terms cancel, the comparison's outcome does not depend on the row: `id = id + 0`,
 * `id - id = 0`, `id + 1 > id`, `id * 0 = 0` are true for every row where `id` is not NULL, as
 * `id = id` is. A reader that cannot read a side (a volatile call) gives no form: a real filter.
 */
import { compare } from "./where.js";

/** c + Σ k·term, terms keyed by the reader's canonical text of their tree. */
export interface Linear {
  c: number;
  terms: ReadonlyMap<string, number>;
}

export const constant = (c: number): Linear => ({ c, terms: new Map() });
export const term = (key: string): Linear => ({ c: 0, terms: new Map([[key, 1]]) });

export function add(a: Linear, b: Linear, sign: 1 | -1 = 1): Linear {
  const terms = new Map(a.terms);
  for (const [k, v] of b.terms) terms.set(k, (terms.get(k) ?? 0) + sign * v);
  return { c: a.c + sign * b.c, terms };
}

/** `a * b` when one side is a constant; undefined otherwise (not linear). */
export function multiply(a: Linear, b: Linear): Linear | undefined {
  const [k, x] = a.terms.size === 0 ? [a.c, b] : b.terms.size === 0 ? [b.c, a] : [];
  if (k === undefined || x === undefined) return undefined;
  const terms = new Map<string, number>();
  for (const [t, v] of x.terms) terms.set(t, v * k);
  return { c: x.c * k, terms };
}

/** `a - b` when it is the same for every row, else undefined. */
export function difference(a: Linear | undefined, b: Linear | undefined): number | undefined {
  if (!a || !b) return undefined;
  const d = add(a, b, -1);
  for (const v of d.terms.values()) if (v !== 0) return undefined;
  return Number.isFinite(d.c) ? d.c : undefined;
}

/** `a op b` (=, <>, !=, <, >, <=, >=) is true for every row where neither side is NULL. */
export function alwaysHolds(op: string, a: Linear | undefined, b: Linear | undefined): boolean {
  const d = difference(a, b);
  return d !== undefined && compare(op, d, 0) === true;
}

/** `x BETWEEN lo AND hi` (or NOT BETWEEN, `negated`) for every row where nothing is NULL. */
export function betweenHolds(
  x: Linear | undefined,
  lo: Linear | undefined,
  hi: Linear | undefined,
  negated: boolean,
  symmetric = false,
): boolean {
  const below = difference(x, lo); // x - lo
  const above = difference(hi, x); // hi - x
  if (below === undefined || above === undefined) {
    // NOT BETWEEN needs only one side to fail for every row.
    if (!negated || symmetric) return false;
    return (below !== undefined && below < 0) || (above !== undefined && above < 0);
  }
  const inside = (below >= 0 && above >= 0) || (symmetric && below <= 0 && above <= 0);
  return negated ? !inside : inside;
}
