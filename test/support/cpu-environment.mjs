// Jest's node environment, plus a record of the CPU one test file costs its worker process (module
// evaluation, tests, the sandbox's worker threads, and the child processes it waited for) when
// MW_TEST_CPU_LOG names a file: one JSON line per test file. Used to find where the suite's
// CPU-seconds go (docs/development.md, "What it costs"); never changes what a test does.
import { appendFileSync, readFileSync } from "node:fs";
import { TestEnvironment } from "jest-environment-node";

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
    super(config, context);
    this.testPath = context.testPath;
  }

  async setup() {
    this.started = { cpu: process.cpuUsage(), children: childrenCpu(), wall: Date.now() };
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
        children: childrenCpu() - this.started.children,
        wall: (Date.now() - this.started.wall) / 1000,
      }) + "\n",
    );
  }
}
