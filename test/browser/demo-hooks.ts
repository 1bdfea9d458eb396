import { afterAll, beforeAll } from "vitest";
import {
  CHROMIUM,
  type DemoInChromium,
  hasChromium,
  launchChromium,
  startDemo,
} from "./demo-server";

// Said once per browser test file: without Chromium its tests are skipped (describe.skipIf).
if (!hasChromium)
  console.warn(
    `Browser tests skipped: no Chromium at ${CHROMIUM} (.ci/run installs it).`,
  );

/**
 * Starts the demo and Chromium before the enclosing `describe` block's tests and stops both after
 * them; the returned object holds them once started.
 */
export function useDemoInChromium(): DemoInChromium {
  const env = {} as DemoInChromium;
  beforeAll(async () => {
    [env.demo, env.browser] = await Promise.all([
      startDemo(),
      launchChromium(),
    ]);
  }, 180_000);
  afterAll(async () => {
    await Promise.all([env.browser?.close(), env.demo?.stop()]);
  });
  return env;
}
