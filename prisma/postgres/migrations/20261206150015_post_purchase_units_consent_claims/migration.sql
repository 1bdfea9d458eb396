-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "acceptsMarketing" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "checkoutKey" TEXT;

-- AlterTable
ALTER TABLE "NextOfferSend" ADD COLUMN     "claimedAt" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "Order_shop_checkoutKey_idx" ON "Order"("shop", "checkoutKey");

