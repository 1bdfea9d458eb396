-- CreateTable
CREATE TABLE "DeletedProduct" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "catalogVersion" INTEGER NOT NULL,

    PRIMARY KEY ("shop", "id")
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Product" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "handle" TEXT NOT NULL,
    "productType" TEXT NOT NULL DEFAULT '',
    "vendor" TEXT NOT NULL DEFAULT '',
    "tags" TEXT NOT NULL DEFAULT '[]',
    "collections" TEXT NOT NULL DEFAULT '[]',
    "status" TEXT NOT NULL DEFAULT 'ACTIVE',
    "imageUrl" TEXT,
    "updatedAt" DATETIME NOT NULL,
    "catalogVersion" INTEGER NOT NULL DEFAULT 0,

    PRIMARY KEY ("shop", "id")
);
INSERT INTO "new_Product" ("collections", "handle", "id", "imageUrl", "productType", "shop", "status", "tags", "title", "updatedAt", "vendor") SELECT "collections", "handle", "id", "imageUrl", "productType", "shop", "status", "tags", "title", "updatedAt", "vendor" FROM "Product";
DROP TABLE "Product";
ALTER TABLE "new_Product" RENAME TO "Product";
CREATE INDEX "Product_shop_productType_idx" ON "Product"("shop", "productType");
CREATE INDEX "Product_shop_catalogVersion_idx" ON "Product"("shop", "catalogVersion");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "DeletedProduct_shop_catalogVersion_idx" ON "DeletedProduct"("shop", "catalogVersion");

