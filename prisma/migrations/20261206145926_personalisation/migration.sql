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
    "importOperationId" TEXT,
    "importOperationLines" INTEGER NOT NULL DEFAULT 0,
    "importObjectCount" INTEGER NOT NULL DEFAULT 0,
    "importPhaseStartedAt" DATETIME,
    "importSince" DATETIME,
    "allOrdersAccess" BOOLEAN,
    "trainedAt" DATETIME,
    "trainingLeaseUntil" DATETIME,
    "trainingLeaseHolder" TEXT,
    "importLeaseUntil" DATETIME,
    "importLeaseHolder" TEXT,
    "marginFloorBps" INTEGER NOT NULL DEFAULT 2000,
    "attributionWindowDays" INTEGER NOT NULL DEFAULT 7,
    "excludedTags" TEXT NOT NULL DEFAULT '[]',
    "excludedProductIds" TEXT NOT NULL DEFAULT '[]',
    "installedAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "postPurchaseDiscountBps" INTEGER NOT NULL DEFAULT 1000,
    "catalogVersion" INTEGER NOT NULL DEFAULT 0,
    "personalisation" BOOLEAN NOT NULL DEFAULT true,
    "customersVersion" INTEGER NOT NULL DEFAULT 0
);
INSERT INTO "new_Shop" ("allOrdersAccess", "attributionWindowDays", "catalogVersion", "currency", "excludedProductIds", "excludedTags", "importCursor", "importLeaseHolder", "importLeaseUntil", "importObjectCount", "importOperationId", "importOperationLines", "importPhaseStartedAt", "importSince", "importStatus", "importedOrders", "importedProducts", "installedAt", "marginFloorBps", "postPurchaseDiscountBps", "shop", "trainedAt", "trainingLeaseHolder", "trainingLeaseUntil", "updatedAt") SELECT "allOrdersAccess", "attributionWindowDays", "catalogVersion", "currency", "excludedProductIds", "excludedTags", "importCursor", "importLeaseHolder", "importLeaseUntil", "importObjectCount", "importOperationId", "importOperationLines", "importPhaseStartedAt", "importSince", "importStatus", "importedOrders", "importedProducts", "installedAt", "marginFloorBps", "postPurchaseDiscountBps", "shop", "trainedAt", "trainingLeaseHolder", "trainingLeaseUntil", "updatedAt" FROM "Shop";
DROP TABLE "Shop";
ALTER TABLE "new_Shop" RENAME TO "Shop";
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

