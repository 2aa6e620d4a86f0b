/** GitHub's example webhook payloads (@octokit/webhooks-examples). */
import { createRequire } from "node:module";

interface WebhookDefinition {
  name: string;
  examples: Array<Record<string, unknown> & { action?: string; installation?: { id: number } }>;
}

// The package's index.d.ts declares a default export, which is wrong under NodeNext; and a JSON
// import would need an import attribute jest warns about. createRequire avoids both.
const definitions = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

/** A copy of GitHub's example payload for `name`.`action` that carries an installation. */
export function example(name: string, action: string): any {
  const def = definitions.find((d) => d.name === name);
  const e = def?.examples.find((x) => x.action === action && x.installation);
  if (!e) throw new Error(`no ${name}.${action} example with an installation`);
  return structuredClone(e);
}
