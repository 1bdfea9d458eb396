-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Experiment" (
    "shop" TEXT NOT NULL,
    "id" TEXT NOT NULL PRIMARY KEY,
    "name" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'draft',
    "primaryMetric" TEXT NOT NULL,
    "placements" TEXT NOT NULL,
    "baselineMean" REAL,
    "pValues" TEXT NOT NULL DEFAULT '{}',
    "intervals" TEXT NOT NULL DEFAULT '{}',
    "startedAt" DATETIME,
    "stoppedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL
);
INSERT INTO "new_Experiment" ("baselineMean", "createdAt", "id", "name", "pValues", "placements", "primaryMetric", "shop", "startedAt", "status", "stoppedAt", "updatedAt") SELECT "baselineMean", "createdAt", "id", "name", "pValues", "placements", "primaryMetric", "shop", "startedAt", "status", "stoppedAt", "updatedAt" FROM "Experiment";
DROP TABLE "Experiment";
ALTER TABLE "new_Experiment" RENAME TO "Experiment";
CREATE INDEX "Experiment_shop_status_idx" ON "Experiment"("shop", "status");
CREATE INDEX "Experiment_shop_createdAt_idx" ON "Experiment"("shop", "createdAt");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

