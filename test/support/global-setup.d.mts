/** Types of global-setup.mjs (Jest's globalSetup, plain ESM). */
export function chooseTmpdir(
  env: Record<string, string | undefined>,
  free?: (dir: string) => number | null,
): string | null;
export default function globalSetup(): void;
