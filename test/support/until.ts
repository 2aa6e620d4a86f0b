/** Polls `check` every 10 ms until it returns something truthy; fails after `ms`. */
export async function until<T>(
  what: string,
  check: () => T | null | undefined | false,
  ms = 15_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} did not happen`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
