import pg from "pg";
import { describe, expect, it } from "vitest";
import { API_SECRET_KEY } from "@shopify/shopify-api/test-helpers";
import prisma from "~/db.server";
import { proxiedQuery } from "../../demo/proxy-signature";
import { loader as recommendations } from "~/routes/proxy.recommendations";
import { loader as readiness } from "~/routes/readyz";
import { POSTGRES_ADMIN_URL } from "../postgres";

/**
 * The database goes away while the app serves, then comes back. Runs on PostgreSQL only (vitest
 * project "postgres"): SQLite is a file in the process and cannot go away like a server.
 * The storefront side of an outage (the block renders nothing when the proxy fails) is the browser
 * test in test/browser/storefront.test.ts.
 */

const SHOP = "outage-shop.myshopify.com";
const database = () => new URL(process.env.DATABASE_URL!).pathname.slice(1);

async function admin(sql: string) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Refuses new connections to the app's database and kills the open ones, as a crash would. */
async function takeDatabaseDown() {
  await admin(`ALTER DATABASE "${database()}" WITH ALLOW_CONNECTIONS false`);
  await admin(
    `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '${database()}' AND pid <> pg_backend_pid()`,
  );
}

async function bringDatabaseBack() {
  await admin(`ALTER DATABASE "${database()}" WITH ALLOW_CONNECTIONS true`);
}

async function askOffers(): Promise<Response> {
  const query = proxiedQuery(
    new URLSearchParams({ placement: "cart", cart: "1" }),
    {
      shop: SHOP,
      secret: API_SECRET_KEY,
    },
  );
  return recommendations({
    request: new Request(
      `https://my-test-app.myshopify.io/proxy/recommendations?${query}`,
    ),
    params: {},
    context: {},
  });
}

async function seedCatalog() {
  await prisma.product.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop: SHOP,
      id,
      title: `P${id}`,
      handle: `p-${id}`,
      updatedAt: new Date(),
    })),
  });
  await prisma.variant.createMany({
    data: ["1", "2", "3"].map((id) => ({
      shop: SHOP,
      id: `7${id}`,
      productId: id,
      title: "Default",
      priceMinor: 1500,
      currency: "USD",
      inventoryQuantity: 4,
    })),
  });
}

describe("a database outage", () => {
  it("never hangs while the database is down, and recovers without a restart", async () => {
    await seedCatalog();
    expect((await askOffers()).status).toBe(200);
    expect((await readiness()).status).toBe(200);

    await takeDatabaseDown();
    try {
      // Not ready: the load balancer takes the instance out of rotation.
      const started = performance.now();
      expect((await readiness()).status).toBe(503);
      expect(performance.now() - started).toBeLessThan(5000);
      // The proxy route never hangs: it either answers from the instance's warm per-shop caches
      // (serving state and session, 5 s) or fails at once, and the storefront script renders
      // nothing on a failure.
      const during = await Promise.race([
        askOffers().then(
          (response) => response.status,
          () => "error" as const,
        ),
        new Promise<"hung">((resolve) =>
          setTimeout(() => resolve("hung"), 10_000),
        ),
      ]);
      expect(during).not.toBe("hung");
      expect(
        during === 200 ||
          during === "error" ||
          (typeof during === "number" && during >= 500),
      ).toBe(true);
    } finally {
      await bringDatabaseBack();
    }

    // Back: the same process serves again.
    let status = 0;
    for (let attempt = 0; attempt < 20 && status !== 200; attempt++) {
      status = await askOffers().then(
        (response) => response.status,
        () => 0,
      );
      if (status !== 200)
        await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(status).toBe(200);
    expect((await readiness()).status).toBe(200);
  });
});
