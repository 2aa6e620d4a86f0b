// Jest's node environment with an ordinary global object, plus a record of the CPU one test file
// costs its worker process (module evaluation, tests, the sandbox's worker threads, and the child
// processes it waited for) when MW_TEST_CPU_LOG names a file: one JSON line per test file. Used to
// find where the suite's CPU-seconds go (docs/development.md, "What it costs").
//
// The global object: jest-environment-node makes its context from a Proxy (to delete what tests
// leave on the global at teardown), and vm.createContext "contextifies" it: every read of a
// global (Array, Object, JSON, Promise, Math…) by the code under test and by every dependency then
// goes through a C++ interceptor and the Proxy, uncached. In a tight loop that is 20 times the cost
// of the same code in an ordinary context (the tree walkers over a 10 MB INSERT, GraphQL in the
// fake GitHub, Octokit). vm.constants.DONT_CONTEXTIFY (Node 20.18+) makes the context's own,
// ordinary global instead; Jest then installs its globals on it exactly as before. What is lost is
// only that teardown sweep (Jest's ESM mode keeps each file's context anyway: jest.config.js,
// workerIdleMemoryLimit).
//
// Shared modules: Jest evaluates every module again in each test file, node-sql-parser included
// (2.5 MB of generated parser, about 0.35 CPU-s to load, the largest part of a rule's test file).
// This class is loaded once per worker process, outside Jest's module registry, so it loads the
// pure, stateless-between-calls dependencies listed in SHARED once per worker and puts them on
// each file's global; jest.config.js maps their names to shims (test/support/shared/) that hand
// that instance to the tested code, as production has one instance per process. Only modules
// nothing mocks and that keep no state between calls; their objects come from this realm, so
// the code reading them checks shapes (Array.isArray, typeof), never instanceof.
import { appendFileSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import vm from "node:vm";
import { TestEnvironment } from "jest-environment-node";

const require = createRequire(import.meta.url);

/** The key the shims read: the worker's instance of each module, loaded on first use. */
const SHARED_KEY = Symbol.for("migration-warden.test.shared-modules");
const SHARED = Object.freeze({
  get "node-sql-parser"() {
    // Frozen: a file replacing an export (a spy, a mock) would reach every later file of the
    // worker; it fails at once instead.
    return Object.freeze(require("node-sql-parser"));
  },
  // Test support, immutable once built: GitHub's GraphQL schema for the fake GitHub (about a
  // CPU-second per GitHub test file with the package's import), the OpenAPI validators of
  // check-run bodies (ajv and two compiled schemas, about 0.2), GitHub's example webhooks (a 1.6 MB
  // JSON file). Each module says what crosses between realms and how.
  // ESM, loaded by setup() (require() of ESM needs Node 20.19; the package allows 20.18).
  get "github-graphql"() {
    return supportModules?.githubGraphql.githubGraphqlService;
  },
  get "openapi-checks"() {
    return supportModules?.openapiChecks.openapiChecks;
  },
  get "@octokit/webhooks-examples"() {
    return (webhookExamples ??= deepFreeze(require("@octokit/webhooks-examples")));
  },
});
let webhookExamples;
/** The ESM test support of SHARED, imported once per worker (graphql-js, ajv: about 0.2 CPU-s). */
let supportModules;
let supportLoading;
async function loadSupportModules() {
  supportLoading ??= Promise.all([import("./github-graphql.mjs"), import("./openapi-checks.mjs")]);
  const [githubGraphql, openapiChecks] = await supportLoading;
  supportModules = { githubGraphql, openapiChecks };
}

/** `value` and everything reachable from it, frozen. */
function deepFreeze(value) {
  if (value === null || typeof value !== "object" || Object.isFrozen(value)) return value;
  Object.freeze(value);
  for (const key of Reflect.ownKeys(value)) deepFreeze(value[key]);
  return value;
}

// Compiled code once per worker (see docs/development.md, "Why this jest setup"): Jest's runtime
// compiles every module again in each test file (vm.SourceTextModule for ESM, vm.compileFunction
// for CommonJS), and V8's in-process compilation cache does not apply to modules, so each file
// parsed its whole graph anew. The runtime takes both constructors from node:vm at each call, so
// wrapping them here gives it V8's code cache for a source this worker compiled before. The
// cache is V8's own serialized bytecode of that very text: an entry is used only for the same
// identifier with the same source (compared in full: V8 checks only its length), V8 rejects it
// for other flags (then the module compiles as before and the entry is replaced), and it changes
// what is compiled when, never what runs. Set MW_TEST_CODE_CACHE=off to compare without it.
const codeCache = new Map();
/**
 * Node 20 loses a module's importModuleDynamically callback when V8 takes its code from a cache
 * ("A dynamic import callback was not specified"), so a source that may call import() is
 * compiled as before, every time.
 */
function cacheable(name, source) {
  return typeof name === "string" && typeof source === "string" && !/\bimport\s*\(/.test(source);
}
function cachedCode(key, source) {
  const entry = codeCache.get(key);
  return entry?.source === source ? entry.data : undefined;
}
if (process.env.MW_TEST_CODE_CACHE !== "off" && vm.SourceTextModule) {
  const SourceTextModule = vm.SourceTextModule;
  // A function, not a subclass: a refused entry means constructing again, which a derived
  // class's constructor cannot do with super(). Its prototype is the original's, so instanceof
  // and the runtime's feature checks see the same class.
  function CachedSourceTextModule(source, options = {}) {
    const make = (opts) => Reflect.construct(SourceTextModule, [source, opts], new.target);
    const key = `esm\0${options.identifier}`;
    const use = !options.cachedData && cacheable(options.identifier, source);
    const data = use ? cachedCode(key, source) : undefined;
    if (data) {
      try {
        return make({ ...options, cachedData: data });
      } catch (e) {
        // V8 refused the entry (made under other V8 flags: liftoff.mjs sets one while a
        // worker's first file loads); any other error is the source's own and comes again.
        if (e?.code !== "ERR_VM_MODULE_CACHED_DATA_REJECTED") throw e;
      }
    }
    const module = make(options);
    if (use) codeCache.set(key, { source, data: module.createCachedData() });
    return module;
  }
  CachedSourceTextModule.prototype = SourceTextModule.prototype;
  Object.setPrototypeOf(CachedSourceTextModule, SourceTextModule);
  vm.SourceTextModule = CachedSourceTextModule;
  const compileFunction = vm.compileFunction;
  vm.compileFunction = function cachedCompileFunction(source, params, options = {}) {
    if (options.cachedData || options.produceCachedData || !cacheable(options.filename, source))
      return compileFunction(source, params, options);
    const key = `cjs\0${options.filename}`;
    const data = cachedCode(key, source);
    if (!data) {
      const fn = compileFunction(source, params, { ...options, produceCachedData: true });
      if (fn.cachedData) codeCache.set(key, { source, data: fn.cachedData });
      return fn;
    }
    const fn = compileFunction(source, params, { ...options, cachedData: data });
    // Made under other V8 flags: the next file makes a new entry.
    if (fn.cachedDataRejected === true) codeCache.delete(key);
    return fn;
  };
}

const TICK = 100; // USER_HZ: /proc's clock ticks per second on Linux

/** CPU-seconds of the child processes this process has waited for (from /proc, Linux only). */
function childrenCpu() {
  try {
    const stat = readFileSync("/proc/self/stat", "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[13]) + Number(fields[14])) / TICK; // cutime, cstime
  } catch {
    return 0;
  }
}

export default class CpuEnvironment extends TestEnvironment {
  constructor(config, context) {
    const createContext = vm.createContext;
    if (vm.constants?.DONT_CONTEXTIFY)
      // Only the environment's own call, made synchronously inside super(): restored at once.
      vm.createContext = (_sandbox, options) => {
        vm.createContext = createContext;
        return createContext(vm.constants.DONT_CONTEXTIFY, options);
      };
    try {
      super(config, context);
    } finally {
      vm.createContext = createContext;
    }
    this.testPath = context.testPath;
    Object.defineProperty(this.global, SHARED_KEY, { value: SHARED });
  }

  async setup() {
    this.started = { cpu: process.cpuUsage(), children: childrenCpu(), wall: Date.now() };
    await loadSupportModules();
    await super.setup();
  }

  async teardown() {
    await super.teardown();
    const log = process.env.MW_TEST_CPU_LOG;
    if (!log || !this.started) return;
    const cpu = process.cpuUsage(this.started.cpu);
    appendFileSync(
      log,
      JSON.stringify({
        file: this.testPath,
        cpu: (cpu.user + cpu.system) / 1e6,
        // Of which in the kernel: mostly page-table copies when the worker forks (git, the CLI).
        sys: cpu.system / 1e6,
        // The worker's resident MB after the file (its heap, and WASM memories, which Jest's
        // workerIdleMemoryLimit does not count): what every fork copies page tables for.
        rss: Math.round(process.memoryUsage.rss() / 2 ** 20),
        heap: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
        children: childrenCpu() - this.started.children,
        wall: (Date.now() - this.started.wall) / 1000,
      }) + "\n",
    );
  }
}
