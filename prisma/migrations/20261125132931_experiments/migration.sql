-- AlterTable
ALTER TABLE "Order" ADD COLUMN "visitorKey" TEXT;

-- CreateTable
CREATE TABLE "Experiment" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "primaryMetric" TEXT NOT NULL,
    "placements" TEXT NOT NULL,
    "baselineMean" REAL,
    "pValues" TEXT NOT NULL DEFAULT '{}',
    "startedAt" DATETIME,
    "stoppedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);

-- CreateTable
CREATE TABLE "ExperimentArm" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL PRIMARY KEY,
    "experimentId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "name" TEXT NOT NULL,
    "weight" INTEGER NOT NULL,
    "holdout" BOOLEAN NOT NULL DEFAULT false,
    "strategy" TEXT,
    "offerCount" INTEGER,
    CONSTRAINT "ExperimentArm_experimentId_fkey" FOREIGN KEY ("experimentId") REFERENCES "Experiment" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "ExperimentExposure" (
    "shop" TEXT NOT NULL,
    "experimentId" TEXT NOT NULL,
    "visitorKey" TEXT NOT NULL,
    "armId" TEXT NOT NULL,
    "firstSeenAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "experimentId", "visitorKey")
);

-- CreateTable
CREATE TABLE "OfferCountBandit" (
    "shop" TEXT NOT NULL,
    "placement" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT false,
    "state" TEXT NOT NULL,
    "learnedThrough" DATETIME NOT NULL,
    "updatedAt" DATETIME NOT NULL,

    PRIMARY KEY ("shop", "placement")
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

