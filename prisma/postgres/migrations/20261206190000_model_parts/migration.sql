-- CreateTable
CREATE TABLE "RecommendationModelPart" (
    "shop" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "data" TEXT NOT NULL,

    CONSTRAINT "RecommendationModelPart_pkey" PRIMARY KEY ("modelId","part")
);

-- CreateIndex
CREATE INDEX "RecommendationModelPart_shop_idx" ON "RecommendationModelPart"("shop");

-- AddForeignKey
ALTER TABLE "RecommendationModelPart" ADD CONSTRAINT "RecommendationModelPart_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "RecommendationModel"("id") ON DELETE CASCADE ON UPDATE CASCADE;

