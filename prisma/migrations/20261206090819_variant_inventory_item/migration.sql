-- AlterTable
ALTER TABLE "Variant" ADD COLUMN "inventoryItemId" TEXT;

-- CreateIndex
CREATE INDEX "Variant_shop_inventoryItemId_idx" ON "Variant"("shop", "inventoryItemId");

