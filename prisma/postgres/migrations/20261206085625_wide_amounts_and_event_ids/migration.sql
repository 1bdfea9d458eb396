-- AlterTable
ALTER TABLE "Variant" ALTER COLUMN "priceMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "compareAtMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "costMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "inventoryQuantity" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Order" ALTER COLUMN "subtotalMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "totalMinor" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "OrderLine" ALTER COLUMN "quantity" SET DATA TYPE BIGINT,
ALTER COLUMN "priceMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "refundedQuantity" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "Bundle" ALTER COLUMN "discountValue" SET DATA TYPE BIGINT;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "eventId" TEXT;

-- AlterTable
ALTER TABLE "PostPurchaseOffer" ALTER COLUMN "minQuantity" SET DATA TYPE BIGINT,
ALTER COLUMN "maxQuantity" SET DATA TYPE BIGINT,
ALTER COLUMN "priceMinor" SET DATA TYPE BIGINT,
ALTER COLUMN "signedQuantity" SET DATA TYPE BIGINT;

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDelivery_shop_topic_eventId_key" ON "WebhookDelivery"("shop", "topic", "eventId");

