import { defineConfig } from "tsdown";

// The published build: ESM (.mjs) and CommonJS (.cjs) for each entry, each with its bundled
// declarations (.d.mts / .d.cts). zod stays a dependency; `./validate` never imports it at run time.
export default defineConfig({
  entry: { index: "src/index.ts", validate: "src/validate.ts" },
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  fixedExtension: true,
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: "tsconfig.build.json",
});
