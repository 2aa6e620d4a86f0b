/**
 * A git object's id from its content (`<type> <length>\0<bytes>`, SHA-1, or SHA-256 for a
 * repository whose ids are 64 hex digits, as `like` shows): how every adapter checks that content
 * is what an id names, and how the CLI names files that exist only on disk.
 */
import { createHash } from "node:crypto";

export function gitObjectId(type: string, bytes: Uint8Array, like = "x".repeat(40)): string {
  return createHash(like.length === 64 ? "sha256" : "sha1")
    .update(`${type} ${bytes.length}\0`)
    .update(bytes)
    .digest("hex");
}
