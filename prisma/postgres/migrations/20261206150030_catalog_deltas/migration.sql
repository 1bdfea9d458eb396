-- AlterTable
ALTER TABLE "Product" ADD COLUMN     "catalogVersion" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "DeletedProduct" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "catalogVersion" INTEGER NOT NULL,

    CONSTRAINT "DeletedProduct_pkey" PRIMARY KEY ("shop","id")
);

-- CreateIndex
CREATE INDEX "DeletedProduct_shop_catalogVersion_idx" ON "DeletedProduct"("shop", "catalogVersion");

-- CreateIndex
CREATE INDEX "Product_shop_catalogVersion_idx" ON "Product"("shop", "catalogVersion");

