-- CreateTable
CREATE TABLE "NextOfferSend" (
    "shop" TEXT NOT NULL,
    "orderId" TEXT NOT NULL,
    "customerKey" TEXT NOT NULL,
    "productId" TEXT NOT NULL,
    "anchorProductId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "dueAt" TIMESTAMP(3) NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "metafieldWritten" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "NextOfferSend_pkey" PRIMARY KEY ("shop","orderId")
);

-- CreateIndex
CREATE INDEX "NextOfferSend_shop_status_dueAt_idx" ON "NextOfferSend"("shop", "status", "dueAt");

-- CreateIndex
CREATE INDEX "NextOfferSend_shop_customerKey_idx" ON "NextOfferSend"("shop", "customerKey");

