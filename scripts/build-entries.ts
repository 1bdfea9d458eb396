/**
 * Bundles the two Node entries beside the Remix server bundle (npm run build, after the Remix
 * build):
 * - build/server/server.js, the production server (app/http/server.ts): `npm start`. It loads
 *   build/server/index.js at run time, so its proxy routes are the Remix build's own modules.
 * - build/server/training-worker.js, the training worker (app/services/model/training-worker.ts).
 *   The server bundle holds every route and the admin's React and Polaris; a worker started from
 *   it would load all of that to train one shop.
 * Packages stay external, as in the server bundle: all resolve them from node_modules at run time.
 */
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const ENTRIES = [
  ["../app/http/server.ts", "../build/server/server.js"],
  [
    "../app/services/model/training-worker.ts",
    "../build/server/training-worker.js",
  ],
].map(([source, bundle]) => ({
  source: fileURLToPath(new URL(source, import.meta.url)),
  bundle: fileURLToPath(new URL(bundle, import.meta.url)),
}));

for (const { source, bundle } of ENTRIES) {
  const result = await build({
    entryPoints: [source],
    outfile: bundle,
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
    `built ${bundle} from ${inputs.length} modules (${Math.round(result.metafile.outputs[Object.keys(result.metafile.outputs)[0]].bytes / 1024)} KB)`,
  );
}
