import prisma from "~/db.server";
import { log } from "./log.server";

const TIMEOUT_MS = 2000;

/** True when the database answers a trivial query within two seconds. */
export async function databaseReady(): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      prisma.$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("timed out")), TIMEOUT_MS);
      }),
    ]);
    return true;
  } catch (error) {
    log.warn("readiness check failed", { error });
    return false;
  } finally {
    clearTimeout(timer);
  }
}
