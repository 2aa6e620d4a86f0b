/**
 * Name globs, as configuration keys accept them (`drift.ignore`, `audit.branches`): `*` any run of
 * characters but the separator, `**` anything, `?` one character but the separator; everything
 * else is literal.
 */
export function globMatcher(
  patterns: readonly string[],
  separator: string,
): (name: string) => boolean {
  if (patterns.length === 0) return () => false;
  const sep = separator.replace(/[\\\]^-]/g, "\\$&");
  const source = patterns
    .map((p) =>
      p
        .split(/(\*\*|\*|\?)/)
        .map((part) =>
          part === "**"
            ? ".*"
            : part === "*"
              ? `[^${sep}]*`
              : part === "?"
                ? `[^${sep}]`
                : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"),
        )
        .join(""),
    )
    .join("|");
  const re = new RegExp(`^(?:${source})$`);
  return (name) => re.test(name);
}
