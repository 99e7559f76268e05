// Size budget of the core entry, minified and gzipped as a browser app would ship it. The budget
// covers the SDK and the protocol code it uses; zod is measured apart because it is a shared
// dependency (the app's other zod/mini users get the same copy) and zod/mini's object parser
// alone is ~5 KB gz. Exits 1 when the core is over budget.
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const budgetBytes = 8 * 1024;
const entries = [
  { name: "core (zod external)", entry: "src/index.ts", external: ["zod", "react"], budget: budgetBytes },
  { name: "core + zod/mini", entry: "src/index.ts", external: ["react"] },
  {
    name: "react entry (hooks; uses the core through types only)",
    entry: "src/react/index.ts",
    external: ["zod", "react"],
  },
];

let failed = false;
for (const { name, entry, external, budget } of entries) {
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external,
    write: false,
    logLevel: "error",
  });
  const js = out.outputFiles[0].contents;
  const gz = gzipSync(js, { level: 9 }).length;
  const over = budget !== undefined && gz > budget;
  failed ||= over;
  const limit = budget === undefined ? "" : ` (budget ${budget} B${over ? ", OVER" : ", ok"})`;
  console.log(`size ${name}: ${js.length} B min, ${gz} B min+gz${limit}`);
}
if (failed) {
  console.error("size budget exceeded");
  process.exit(1);
}
