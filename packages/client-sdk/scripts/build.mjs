// dist/: ESM bundles (the protocol code and its generated validators inlined, react left to the app)
// + declarations.
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
const common = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  target: "es2022",
  external: ["react"],
  sourcemap: true,
  logLevel: "warning",
};
await build({ ...common, entryPoints: { index: "src/index.ts" }, outdir: "dist" });
// The React entry uses the core through types only (the app passes its client in), and keeps its
// "use client" directive for the Next.js App Router.
await build({ ...common, entryPoints: { react: "src/react/index.ts" }, outdir: "dist" });
execFileSync("node_modules/.bin/tsc", ["-p", "tsconfig.build.json"], { stdio: "inherit" });
console.log("built dist/index.js, dist/react.js, dist/types/");
