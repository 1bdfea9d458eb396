import { Session } from "@shopify/shopify-api";
import type { PrismaClient } from "@prisma/client";
import { PrismaSessionStorage } from "@shopify/shopify-app-session-storage-prisma";

/** How long a loaded session (or its absence) is reused without reading the database again. */
export const SESSION_CACHE_MS = 5_000;

/**
 * The Prisma session storage with a short read cache. Every app proxy request authenticates
 * through the library, which loads the shop's offline session: one database round trip per
 * storefront request for a row that changes at install, token refresh and uninstall. Writes
 * through this storage drop the entry at once; the app's direct writes to the session table
 * (sessions.server.ts, privacy.server.ts) call `forgetCachedSessions`. Another instance sees a
 * change within SESSION_CACHE_MS. Each caller gets its own copy, so none can alter another's.
 */
export class CachingSessionStorage extends PrismaSessionStorage<PrismaClient> {
  constructor(prisma: PrismaClient) {
    super(prisma);
    storages.add(this);
  }

  private readonly loaded = new Map<
    string,
    { value: Promise<Session | undefined>; loadedAt: number }
  >();

  override loadSession(id: string): Promise<Session | undefined> {
    const now = Date.now();
    let entry = this.loaded.get(id);
    if (!entry || now - entry.loadedAt >= SESSION_CACHE_MS) {
      const value = super.loadSession(id);
      const fresh = { value, loadedAt: now };
      entry = fresh;
      this.loaded.set(id, fresh);
      value.catch(() => {
        if (this.loaded.get(id) === fresh) this.loaded.delete(id);
      });
    }
    return entry.value.then((session) =>
      session ? new Session(session.toObject()) : undefined,
    );
  }

  override async storeSession(session: Session): Promise<boolean> {
    this.loaded.delete(session.id);
    try {
      return await super.storeSession(session);
    } finally {
      this.loaded.delete(session.id);
    }
  }

  override async deleteSession(id: string): Promise<boolean> {
    this.loaded.delete(id);
    try {
      return await super.deleteSession(id);
    } finally {
      this.loaded.delete(id);
    }
  }

  override async deleteSessions(ids: string[]): Promise<boolean> {
    for (const id of ids) this.loaded.delete(id);
    try {
      return await super.deleteSessions(ids);
    } finally {
      for (const id of ids) this.loaded.delete(id);
    }
  }

  forget(): void {
    this.loaded.clear();
  }
}

const storages = new Set<CachingSessionStorage>();

/** After writing the session table directly: nothing cached survives. */
export function forgetCachedSessions(): void {
  for (const storage of storages) storage.forget();
}
