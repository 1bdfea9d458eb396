/**
 * `npm start`: the production server. The storefront's app proxy routes and the probes go straight
 * to the functions their routes call (lean-routes.ts); static assets are served as files; every
 * other request is Remix's.
 * Built with the app into build/server/server.js (scripts/build-entries.ts), beside the Remix
 * server build it loads.
 */
import { fileURLToPath, pathToFileURL } from "node:url";
import path from "node:path";
import compression from "compression";
import express from "express";
import { createRequestHandler } from "@remix-run/express";
import { type ServerBuild, installGlobals } from "@remix-run/node";
import { leanRoutesHandler } from "./lean-routes";
import { startServerJobs } from "./server-jobs";

process.env.NODE_ENV ??= "production";
const here = path.dirname(fileURLToPath(import.meta.url));
const build = (await import(
  pathToFileURL(path.join(here, "index.js")).href
)) as ServerBuild;
installGlobals({ nativeFetch: build.future.v3_singleFetch });

const app = express();
app.disable("x-powered-by");
// Nothing here reads req.query (the lean routes and Remix read the URL): express would parse
// every signed proxy query with qs for nothing.
app.set("query parser", false);
app.use(leanRoutesHandler(build));
// Admin documents and assets; the proxy's small JSON answers above are sent as they are.
app.use(compression());
app.use(
  build.publicPath,
  express.static(build.assetsBuildDirectory, { immutable: true, maxAge: "1y" }),
);
app.use(express.static("public", { maxAge: "1h" }));
app.all("*", createRequestHandler({ build, mode: process.env.NODE_ENV }));

const port = Number(process.env.PORT ?? 3000);
const onListen = () => console.log(`[cartlift] http://localhost:${port}`);
const server = process.env.HOST
  ? app.listen(port, process.env.HOST, onListen)
  : app.listen(port, onListen);
const stopJobs = startServerJobs(build);
for (const signal of ["SIGTERM", "SIGINT"])
  process.once(signal, () => {
    stopJobs();
    server.close();
  });
