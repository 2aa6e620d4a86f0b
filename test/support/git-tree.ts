/** Git object ids the tests compute themselves, as git does. */
import { createHash } from "node:crypto";

/** A tree's id as git computes it (entries sorted as git sorts them). */
export function treeId(
  entries: ReadonlyArray<{ name: string; mode: number; oid: string }>,
): string {
  const key = (e: { name: string; mode: number }) =>
    Buffer.from(e.mode === 0o40000 ? `${e.name}/` : e.name);
  const body = Buffer.concat(
    [...entries]
      .sort((a, b) => Buffer.compare(key(a), key(b)))
      .flatMap((e) => [
        Buffer.from(`${e.mode.toString(8)} ${e.name}\0`),
        Buffer.from(e.oid, "hex"),
      ]),
  );
  return createHash("sha1").update(`tree ${body.length}\0`).update(body).digest("hex");
}
