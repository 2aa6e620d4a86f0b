#!/usr/bin/env node
// Regenerate schema/migration-warden.schema.json from the zod schema (run `npm run build` first).
// test/config/json-schema.test.ts fails when the committed file is out of date.
import { mkdirSync, writeFileSync } from "node:fs";
import { configJsonSchema } from "../lib/config/json-schema.js";

mkdirSync(new URL("../schema/", import.meta.url), { recursive: true });
const out = new URL("../schema/migration-warden.schema.json", import.meta.url);
writeFileSync(out, `${JSON.stringify(configJsonSchema(), null, 2)}\n`);
console.log(`wrote ${out.pathname}`);
