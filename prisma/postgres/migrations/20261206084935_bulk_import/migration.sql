-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "allOrdersAccess" BOOLEAN,
ADD COLUMN     "importObjectCount" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "importOperationId" TEXT,
ADD COLUMN     "importOperationLines" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "importPhaseStartedAt" TIMESTAMP(3),
ADD COLUMN     "importSince" TIMESTAMP(3);

