import { defineConfig } from "tsdown";

// The published build: ESM (.mjs) and CommonJS (.cjs) with bundled declarations (.d.mts / .d.cts).
// It uses @podchat/protocol for types only, so nothing of it (or zod) loads at run time.
export default defineConfig({
  entry: { index: "src/index.ts" },
  format: ["esm", "cjs"],
  platform: "node",
  target: "es2022",
  fixedExtension: true,
  sourcemap: true,
  clean: true,
  tsconfig: "tsconfig.build.json",
  dts: true,
});
