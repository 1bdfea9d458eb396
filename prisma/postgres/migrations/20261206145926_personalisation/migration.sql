-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "customersVersion" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "personalisation" BOOLEAN NOT NULL DEFAULT true;

