// WebAssembly on V8's baseline compiler alone in the Jest workers, as the CLI runs it
// (src/cli/bin.ts): the suite's sandboxes (PGlite) and parsers (libpg-query, sql.js) are compiled
// again in every test file, so V8's optimising recompilation of their hot functions costs more CPU
// than it saves (about a tenth of a replaying file). The flag is process-wide and changes how fast
// WebAssembly runs, never what it computes.
import { setFlagsFromString } from "node:v8";

setFlagsFromString("--liftoff-only");
