-- CreateTable
CREATE TABLE "RecommendationModelPart" (
    "shop" TEXT NOT NULL,
    "modelId" TEXT NOT NULL,
    "part" INTEGER NOT NULL,
    "data" TEXT NOT NULL,

    PRIMARY KEY ("modelId", "part"),
    CONSTRAINT "RecommendationModelPart_modelId_fkey" FOREIGN KEY ("modelId") REFERENCES "RecommendationModel" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE INDEX "RecommendationModelPart_shop_idx" ON "RecommendationModelPart"("shop");

