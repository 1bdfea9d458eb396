import prisma from "~/db.server";
import { forgetCachedSessions } from "~/session-storage.server";

export async function updateSessionScopes(
  shop: string,
  scopes: string[],
): Promise<void> {
  await prisma.session.updateMany({
    where: { shop },
    data: { scope: scopes.join(",") },
  });
  forgetCachedSessions();
}
