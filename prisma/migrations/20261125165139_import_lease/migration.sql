-- AlterTable
ALTER TABLE "Shop" ADD COLUMN "importLeaseHolder" TEXT;
ALTER TABLE "Shop" ADD COLUMN "importLeaseUntil" DATETIME;

