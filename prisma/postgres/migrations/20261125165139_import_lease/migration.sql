-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "importLeaseHolder" TEXT,
ADD COLUMN     "importLeaseUntil" TIMESTAMP(3);

