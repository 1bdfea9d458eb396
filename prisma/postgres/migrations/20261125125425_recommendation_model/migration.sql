-- CreateTable
CREATE TABLE "RecommendationModel" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "orders" INTEGER NOT NULL,
    "products" INTEGER NOT NULL,
    "trainMs" INTEGER NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "RecommendationModel_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RecommendationModel_shop_createdAt_idx" ON "RecommendationModel"("shop", "createdAt");

