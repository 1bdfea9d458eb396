/** The SQLite file used when DATABASE_URL is not set: the embedded default. */
export const DEFAULT_DATABASE_URL = "file:./prisma/dev.sqlite";

export function databaseUrl(
  env: Record<string, string | undefined> = process.env,
): string {
  return env.DATABASE_URL || DEFAULT_DATABASE_URL;
}
