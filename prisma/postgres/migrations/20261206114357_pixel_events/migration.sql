-- CreateTable
CREATE TABLE "PixelEvent" (
    "shop" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "line" INTEGER NOT NULL,
    "type" TEXT NOT NULL,
    "visitorKey" TEXT,
    "clientKey" TEXT NOT NULL,
    "productId" TEXT,
    "variantId" TEXT,
    "quantity" BIGINT NOT NULL DEFAULT 0,
    "amountMinor" BIGINT NOT NULL DEFAULT 0,
    "currency" TEXT NOT NULL DEFAULT '',
    "offerToken" TEXT,
    "orderId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PixelEvent_pkey" PRIMARY KEY ("shop","eventId","line")
);

-- CreateIndex
CREATE INDEX "PixelEvent_shop_type_visitorKey_createdAt_idx" ON "PixelEvent"("shop", "type", "visitorKey", "createdAt");

-- CreateIndex
CREATE INDEX "PixelEvent_shop_orderId_idx" ON "PixelEvent"("shop", "orderId");

