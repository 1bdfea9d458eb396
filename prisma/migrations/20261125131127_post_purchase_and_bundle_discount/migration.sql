-- CreateTable
CREATE TABLE "BundleDiscount" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "discountId" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "syncedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "PostPurchaseOffer" (
    "shop" TEXT NOT NULL,
    "referenceId" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "variantId" TEXT NOT NULL,
    "minQuantity" INTEGER NOT NULL DEFAULT 1,
    "maxQuantity" INTEGER NOT NULL,
    "priceMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "discountBps" INTEGER NOT NULL DEFAULT 0,
    "reason" TEXT NOT NULL DEFAULT '',
    "strategy" TEXT NOT NULL DEFAULT '',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedJti" TEXT,
    "signedQuantity" INTEGER,
    "signedAt" DATETIME,

    PRIMARY KEY ("shop", "referenceId")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Shop" (
    "shop" TEXT NOT NULL PRIMARY KEY,
    "currency" TEXT NOT NULL DEFAULT 'USD',
    "importStatus" TEXT NOT NULL DEFAULT 'pending',
    "importCursor" TEXT,
    "importedProducts" INTEGER NOT NULL DEFAULT 0,
    "importedOrders" INTEGER NOT NULL DEFAULT 0,
    "trainedAt" DATETIME,
    "marginFloorBps" INTEGER NOT NULL DEFAULT 2000,
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 7,
    "excludedTags" TEXT NOT NULL DEFAULT '[]',
    "excludedProductIds" TEXT NOT NULL DEFAULT '[]',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "postPurchaseDiscountBps" INTEGER NOT NULL DEFAULT 1000
);
INSERT INTO "new_Shop" ("attributionWindowDays", "currency", "excludedProductIds", "excludedTags", "importCursor", "importStatus", "importedOrders", "importedProducts", "installedAt", "marginFloorBps", "shop", "trainedAt", "updatedAt") SELECT "attributionWindowDays", "currency", "excludedProductIds", "excludedTags", "importCursor", "importStatus", "importedOrders", "importedProducts", "installedAt", "marginFloorBps", "shop", "trainedAt", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "PostPurchaseOffer_shop_createdAt_idx" ON "PostPurchaseOffer"("shop", "createdAt");

