-- AlterTable
ALTER TABLE "OrderLine" ADD COLUMN "discountMinor" BIGINT;
