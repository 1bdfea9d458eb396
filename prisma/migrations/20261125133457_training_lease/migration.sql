-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "trainingLeaseHolder" TEXT;
ALTER TABLE "Shop" ADD COLUMN "trainingLeaseUntil" DATETIME;

