-- AlterTable
ALTER TABLE "NextOfferSend" ADD COLUMN "claimedAt" DATETIME;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Order" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "customerKey" TEXT,
    "createdAt" DATETIME NOT NULL,
    "currency" TEXT NOT NULL,
    "subtotalMinor" BIGINT NOT NULL,
    "totalMinor" BIGINT NOT NULL,
    "cancelledAt" DATETIME,
    "sourceUpdatedAt" DATETIME NOT NULL,
    "visitorKey" TEXT,
    "checkoutKey" TEXT,
    "acceptsMarketing" BOOLEAN NOT NULL DEFAULT false,

    PRIMARY KEY ("shop", "id")
);
INSERT INTO "new_Order" ("cancelledAt", "createdAt", "currency", "customerKey", "id", "name", "shop", "sourceUpdatedAt", "subtotalMinor", "totalMinor", "visitorKey") SELECT "cancelledAt", "createdAt", "currency", "customerKey", "id", "name", "shop", "sourceUpdatedAt", "subtotalMinor", "totalMinor", "visitorKey" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shop_createdAt_idx" ON "Order"("shop", "createdAt");
CREATE INDEX "Order_shop_customerKey_idx" ON "Order"("shop", "customerKey");
CREATE INDEX "Order_shop_visitorKey_idx" ON "Order"("shop", "visitorKey");
CREATE INDEX "Order_shop_checkoutKey_idx" ON "Order"("shop", "checkoutKey");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

