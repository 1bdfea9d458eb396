/**
 * Bundles the training worker's entry (app/services/model/training-worker.ts) beside the server
 * bundle, as build/server/training-worker.js. The server bundle holds every route and the admin's
 * React and Polaris; a worker started from it would load all of that to train one shop. Packages
 * stay external, as in the server bundle: both resolve them from node_modules at run time.
 *   npm run build (after the Remix build)
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

export const WORKER_SOURCE = fileURLToPath(
  new URL("../app/services/model/training-worker.ts", import.meta.url),
);
export const WORKER_BUNDLE = fileURLToPath(
  new URL("../build/server/training-worker.js", import.meta.url),
);

const result = await build({
  entryPoints: [WORKER_SOURCE],
  outfile: WORKER_BUNDLE,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  // The app's own `~/` imports are the app, not packages.
  alias: { "~": fileURLToPath(new URL("../app", import.meta.url)) },
  metafile: true,
  logLevel: "warning",
});
const inputs = Object.keys(result.metafile.inputs);
console.log(
  `built ${WORKER_BUNDLE} from ${inputs.length} modules (${Math.round(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes / 1024)} KB)`,
);
