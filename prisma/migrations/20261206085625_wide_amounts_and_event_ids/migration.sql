-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN "eventId" TEXT;

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Variant" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "sku" TEXT NOT NULL DEFAULT '',
    "options" TEXT NOT NULL DEFAULT '[]',
    "priceMinor" BIGINT NOT NULL,
    "compareAtMinor" BIGINT,
    "costMinor" BIGINT,
    "currency" TEXT NOT NULL,
    "inventoryQuantity" BIGINT,
    "availableForSale" BOOLEAN NOT NULL DEFAULT true,
    "position" INTEGER NOT NULL DEFAULT 1,

    PRIMARY KEY ("shop", "id"),
    CONSTRAINT "Variant_shop_productId_fkey" FOREIGN KEY ("shop", "productId") REFERENCES "Product" ("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Variant" ("availableForSale", "compareAtMinor", "costMinor", "currency", "id", "inventoryQuantity", "options", "position", "priceMinor", "productId", "shop", "sku", "title") SELECT "availableForSale", "compareAtMinor", "costMinor", "currency", "id", "inventoryQuantity", "options", "position", "priceMinor", "productId", "shop", "sku", "title" FROM "Variant";
DROP TABLE "Variant";
ALTER TABLE "new_Variant" RENAME TO "Variant";
CREATE INDEX "Variant_shop_productId_idx" ON "Variant"("shop", "productId");
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

    PRIMARY KEY ("shop", "id")
);
INSERT INTO "new_Order" ("cancelledAt", "createdAt", "currency", "customerKey", "id", "name", "shop", "sourceUpdatedAt", "subtotalMinor", "totalMinor", "visitorKey") SELECT "cancelledAt", "createdAt", "currency", "customerKey", "id", "name", "shop", "sourceUpdatedAt", "subtotalMinor", "totalMinor", "visitorKey" FROM "Order";
DROP TABLE "Order";
ALTER TABLE "new_Order" RENAME TO "Order";
CREATE INDEX "Order_shop_createdAt_idx" ON "Order"("shop", "createdAt");
CREATE INDEX "Order_shop_customerKey_idx" ON "Order"("shop", "customerKey");
CREATE INDEX "Order_shop_visitorKey_idx" ON "Order"("shop", "visitorKey");
CREATE TABLE "new_OrderLine" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "quantity" BIGINT NOT NULL,
    "priceMinor" BIGINT NOT NULL,
    "refundedQuantity" BIGINT NOT NULL DEFAULT 0,
    "offerToken" TEXT,
    "placement" TEXT,
    "strategy" TEXT,

    PRIMARY KEY ("shop", "id"),
    CONSTRAINT "OrderLine_shop_orderId_fkey" FOREIGN KEY ("shop", "orderId") REFERENCES "Order" ("shop", "id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_OrderLine" ("id", "offerToken", "orderId", "placement", "priceMinor", "productId", "quantity", "refundedQuantity", "shop", "strategy", "variantId") SELECT "id", "offerToken", "orderId", "placement", "priceMinor", "productId", "quantity", "refundedQuantity", "shop", "strategy", "variantId" FROM "OrderLine";
DROP TABLE "OrderLine";
ALTER TABLE "new_OrderLine" RENAME TO "OrderLine";
CREATE INDEX "OrderLine_shop_orderId_idx" ON "OrderLine"("shop", "orderId");
CREATE INDEX "OrderLine_shop_productId_idx" ON "OrderLine"("shop", "productId");
CREATE INDEX "OrderLine_shop_placement_idx" ON "OrderLine"("shop", "placement");
CREATE TABLE "new_Bundle" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL PRIMARY KEY,
    "title" TEXT NOT NULL,
    "productIds" TEXT NOT NULL,
    "discountType" TEXT NOT NULL,
    "discountValue" BIGINT NOT NULL,
    "marginFloorBps" INTEGER NOT NULL DEFAULT 2000,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "source" TEXT NOT NULL DEFAULT 'manual',
    "startsAt" DATETIME,
    "endsAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Bundle" ("createdAt", "discountType", "discountValue", "endsAt", "id", "marginFloorBps", "productIds", "shop", "source", "startsAt", "status", "title", "updatedAt") SELECT "createdAt", "discountType", "discountValue", "endsAt", "id", "marginFloorBps", "productIds", "shop", "source", "startsAt", "status", "title", "updatedAt" FROM "Bundle";
DROP TABLE "Bundle";
ALTER TABLE "new_Bundle" RENAME TO "Bundle";
CREATE INDEX "Bundle_shop_status_idx" ON "Bundle"("shop", "status");
CREATE TABLE "new_PostPurchaseOffer" (
    "shop" TEXT NOT NULL,
    "referenceId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "minQuantity" BIGINT NOT NULL DEFAULT 1,
    "maxQuantity" BIGINT NOT NULL,
    "priceMinor" BIGINT NOT NULL,
    "currency" TEXT NOT NULL,
    "discountBps" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL DEFAULT '',
    "strategy" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedJti" TEXT,
    "signedQuantity" BIGINT,
    "signedAt" DATETIME,

    PRIMARY KEY ("shop", "referenceId")
);
INSERT INTO "new_PostPurchaseOffer" ("createdAt", "currency", "discountBps", "maxQuantity", "minQuantity", "priceMinor", "productId", "reason", "referenceId", "shop", "signedAt", "signedJti", "signedQuantity", "strategy", "variantId") SELECT "createdAt", "currency", "discountBps", "maxQuantity", "minQuantity", "priceMinor", "productId", "reason", "referenceId", "shop", "signedAt", "signedJti", "signedQuantity", "strategy", "variantId" FROM "PostPurchaseOffer";
DROP TABLE "PostPurchaseOffer";
ALTER TABLE "new_PostPurchaseOffer" RENAME TO "PostPurchaseOffer";
CREATE INDEX "PostPurchaseOffer_shop_createdAt_idx" ON "PostPurchaseOffer"("shop", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shop_topic_eventId_key" ON "WebhookDelivery"("shop", "topic", "eventId");

