-- AlterTable
ALTER TABLE "Shop" ADD COLUMN     "catalogVersion" INTEGER NOT NULL DEFAULT 0;

