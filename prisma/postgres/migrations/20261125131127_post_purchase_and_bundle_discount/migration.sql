-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "postPurchaseDiscountBps" INTEGER NOT NULL DEFAULT 1000;

-- CreateTable
CREATE TABLE "BundleDiscount" (
    "shop" TEXT NOT NULL,
    "discountId" TEXT NOT NULL,
    "config" TEXT NOT NULL,
    "syncedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "BundleDiscount_pkey" PRIMARY KEY ("shop")
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
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "signedJti" TEXT,
    "signedQuantity" INTEGER,
    "signedAt" TIMESTAMP(3),

    CONSTRAINT "PostPurchaseOffer_pkey" PRIMARY KEY ("shop","referenceId")
);

-- CreateIndex
CREATE INDEX "PostPurchaseOffer_shop_createdAt_idx" ON "PostPurchaseOffer"("shop", "createdAt");

