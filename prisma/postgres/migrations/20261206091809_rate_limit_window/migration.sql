-- CreateTable
CREATE TABLE "RateLimitWindow" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "window" INTEGER NOT NULL,
    "count" INTEGER NOT NULL,

    CONSTRAINT "RateLimitWindow_pkey" PRIMARY KEY ("shop","key","window")
);

