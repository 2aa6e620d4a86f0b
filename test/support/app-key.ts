/**
 * The test GitHub App's private key (RSA 2048, PKCS#8 PEM), made once per machine and user and
 * shared by every test file through the temp dir, like the replay's fresh-database templates: an
 * RSA key pair costs about a quarter of a CPU-second, and some thirty test files each made their
 * own. It signs only the JWTs the fake GitHub in the same test checks. A file that is not a
 * readable RSA key of that size and form (a half-written one, another tool's) is replaced, never
 * trusted.
 *
 * PKCS#8, not the PKCS#1 GitHub hands out: the JWT library converts a PKCS#1 key to PKCS#8 at
 * every signature, which was a tenth of the CPU of a GitHub test file. The real server processes
 * get GitHub's form (githubFormPrivateKey, below), so the conversion stays tested.
 */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const PATH = join(
  tmpdir(),
  `migration-warden-test-app-key-${process.getuid?.() ?? "user"}.pkcs8.pem`,
);

function stored(): string | null {
  try {
    const pem = readFileSync(PATH, "utf8");
    if (!pem.startsWith("-----BEGIN PRIVATE KEY-----")) return null;
    const key = createPrivateKey(pem);
    if (key.asymmetricKeyType !== "rsa" || key.asymmetricKeyDetails?.modulusLength !== 2048)
      return null;
    return pem;
  } catch {
    return null;
  }
}

function made(): string {
  const { privateKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  });
  // Written aside and renamed: a process reading concurrently sees the old file or the whole key.
  const temp = `${PATH}.${process.pid}.tmp`;
  try {
    writeFileSync(temp, privateKey, { mode: 0o600 });
    renameSync(temp, PATH);
  } catch {
    // Not shared then; this file still has its key.
  }
  return privateKey;
}

export const privateKey: string = stored() ?? made();

/**
 * The same key in the PKCS#1 form GitHub issues: the real server processes get this one
 * (test/support/e2e.ts, test/e2e/server.test.ts), so the JWT library's conversion stays tested.
 */
export const githubFormPrivateKey: string = createPrivateKey(privateKey)
  .export({ type: "pkcs1", format: "pem" })
  .toString();
