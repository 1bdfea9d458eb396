-- AlterTable
ALTER TABLE "Experiment" ADD COLUMN     "intervals" TEXT NOT NULL DEFAULT '{}';

