import { PrismaClient } from "@prisma/client";
import { PrismaBetterSQLite3 } from "@prisma/adapter-better-sqlite3";
import { env } from "./env.server";

function createClient(url: string): PrismaClient {
  if (!url.startsWith("file:")) {
    throw new Error(
      `Unsupported DATABASE_URL scheme: ${url.split(":")[0]} (expected file:)`,
    );
  }
  return new PrismaClient({ adapter: new PrismaBetterSQLite3({ url }) });
}

declare global {
  // Reused across Vite dev-server reloads so each edit does not open a new connection.
  var cartliftPrisma: PrismaClient | undefined;
}

const prisma = (globalThis.cartliftPrisma ??= createClient(env.DATABASE_URL));

export default prisma;
