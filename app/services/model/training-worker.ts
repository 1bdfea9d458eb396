/**
 * The training worker thread's entry (see `inWorker` in model.server.ts): trains one shop and
 * reports the result to the thread that started it. It imports what training needs and nothing of
 * the admin UI; `npm run build` bundles it to build/server/training-worker.js.
 */
import { parentPort, workerData } from "node:worker_threads";
import prisma from "~/db.server";
import { type TrainingJob, trainAndStore } from "./model.server";

const { shop } = workerData as TrainingJob;
trainAndStore(shop)
  .then(
    (result) => parentPort?.postMessage({ result }),
    (error: unknown) =>
      parentPort?.postMessage({
        error: error instanceof Error ? error.message : String(error),
      }),
  )
  .finally(() => prisma.$disconnect());
