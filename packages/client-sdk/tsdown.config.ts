import { defineConfig } from "tsdown";

// The published build: ESM (.mjs) and CommonJS (.cjs) for `.` and `./react`, with bundled
// declarations (.d.mts / .d.cts). The protocol code the SDK runs (close codes, the generated
// validators) is inlined and tree-shaken into the JS, so no app — ESM or CommonJS — loads zod
// through the SDK; the declarations import their types from `@podchat/protocol` (a dependency), as
// inlining them would fork the protocol's types. React is the app's.
const declaration = /\.d\.[cm]?ts$/;

export default defineConfig({
  entry: { index: "src/index.ts", react: "src/react/index.ts" },
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  fixedExtension: true,
  sourcemap: true,
  clean: true,
  tsconfig: "tsconfig.build.json",
  dts: true,
  deps: {
    neverBundle: ["react"],
    alwaysBundle: (id, importer) => id.startsWith("@podchat/protocol") && !declaration.test(importer ?? ""),
  },
});
