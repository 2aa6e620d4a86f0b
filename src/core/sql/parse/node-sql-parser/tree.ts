/** Reading node-sql-parser's trees, which are plain JSON of no declared shape. */
export type Json = Record<string, unknown>;

export const obj = (x: unknown): Json | undefined =>
  x !== null && typeof x === "object" && !Array.isArray(x) ? (x as Json) : undefined;

export const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);

export const str = (x: unknown): string | undefined => (typeof x === "string" ? x : undefined);
