-- CreateTable
CREATE TABLE "SuggestionDecision" (
    "shop" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "decision" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "key")
);

-- CreateTable
CREATE TABLE "OnboardingStep" (
    "shop" TEXT NOT NULL,
    "step" TEXT NOT NULL,
    "doneAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,

    PRIMARY KEY ("shop", "step")
);

