-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "trainingLeaseHolder" TEXT,
ADD COLUMN     "trainingLeaseUntil" TIMESTAMP(3);

