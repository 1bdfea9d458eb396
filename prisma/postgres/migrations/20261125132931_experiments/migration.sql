-- AlterTable
ALTER TABLE "Order" ADD COLUMN     "visitorKey" TEXT;

-- CreateTable
CREATE TABLE "Experiment" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "primaryMetric" TEXT NOT NULL,
    "placements" TEXT NOT NULL,
    "baselineMean" DOUBLE PRECISION,
    "pValues" TEXT NOT NULL DEFAULT '{}',
    "startedAt" TIMESTAMP(3),
    "stoppedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Experiment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentArm" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "weight" INTEGER NOT NULL,
    "holdout" BOOLEAN NOT NULL DEFAULT false,
    "strategy" TEXT,
    "offerCount" INTEGER,

    CONSTRAINT "ExperimentArm_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ExperimentExposure" (
    "shop" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "visitorKey" TEXT NOT NULL,
    "armId" TEXT NOT NULL,
    "firstSeenAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ExperimentExposure_pkey" PRIMARY KEY ("shop","experimentId","visitorKey")
);

-- CreateTable
CREATE TABLE "OfferCountBandit" (
    "shop" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL,
    "learnedThrough" TIMESTAMP(3) NOT NULL,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "OfferCountBandit_pkey" PRIMARY KEY ("shop","placement")
);

-- CreateIndex
CREATE INDEX "Experiment_shop_status_idx" ON "Experiment"("shop", "status");

-- CreateIndex
CREATE INDEX "Experiment_shop_createdAt_idx" ON "Experiment"("shop", "createdAt");

-- CreateIndex
CREATE INDEX "ExperimentArm_shop_experimentId_idx" ON "ExperimentArm"("shop", "experimentId");

-- CreateIndex
CREATE INDEX "ExperimentExposure_shop_experimentId_armId_idx" ON "ExperimentExposure"("shop", "experimentId", "armId");

-- CreateIndex
CREATE INDEX "Order_shop_visitorKey_idx" ON "Order"("shop", "visitorKey");

-- AddForeignKey
ALTER TABLE "ExperimentArm" ADD CONSTRAINT "ExperimentArm_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment"("id") ON DELETE CASCADE ON UPDATE CASCADE;

