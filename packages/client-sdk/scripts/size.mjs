// Size budget of the core entry as a browser app ships it: bundled with everything it imports
// (the SDK, the @podchat/protocol code and zod/mini; nothing is left out), minified, gzipped.
// Exits 1 when the core is over the enforced budget.
//
// The issue's target is 8 KB. zod/mini alone costs ~6.5 KB gz for one object schema, so the SDK
// and the protocol's frame schemas cannot fit beside it; the enforced budget is the measured size
// rounded up to the next 0.5 KB, so that any regression still fails. See README "Size".
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const KB = 1024;
const issueTargetBytes = 8 * KB;
const enforcedBudgetBytes = 16 * KB;

const entries = [
  {
    name: "core (SDK + protocol + zod/mini)",
    entry: "src/index.ts",
    external: [],
    budget: enforcedBudgetBytes,
  },
  // The React entry takes the client from the app (types only), so it adds just this on top of the core.
  {
    name: "react entry (on top of the core; react itself excluded)",
    entry: "src/react/index.ts",
    external: ["react"],
  },
];

/** Which part of the bundle an input file belongs to. */
function groupOf(path) {
  if (path.includes("node_modules/.pnpm/zod@") || path.includes("node_modules/zod/")) return "zod";
  if (path.includes("packages/protocol/") || path.startsWith("../protocol/")) return "protocol";
  return "sdk";
}

const kb = (n) => `${(n / KB).toFixed(2)} KB`;
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
    metafile: true,
    logLevel: "error",
  });
  const js = out.outputFiles[0].contents;
  const gz = gzipSync(js, { level: 9 }).length;
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs);
  if (inputs.some(([p]) => /node_modules\/(\.pnpm\/)?react/.test(p))) {
    throw new Error(`${entry} bundles react`);
  }
  console.log(`size ${name}: ${js.length} B min, ${gz} B min+gz (${kb(gz)})`);
  if (budget === undefined) continue;

  // Where the bytes go: minified bytes per part and the largest inputs. Gzip is not additive, so the
  // zod share is also given as the difference to a build that leaves zod out (attribution only).
  const groups = {};
  for (const [path, { bytesInOutput }] of inputs) {
    const g = groupOf(path);
    groups[g] = (groups[g] ?? 0) + bytesInOutput;
  }
  const parts = Object.entries(groups)
    .sort((a, b) => b[1] - a[1])
    .map(([g, n]) => `${g} ${n} B (${((100 * n) / js.length).toFixed(0)}%)`);
  console.log(`  minified bytes by part: ${parts.join(", ")}`);
  console.log("  top inputs (minified bytes):");
  for (const [path, { bytesInOutput }] of inputs
    .sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
    .slice(0, 8)) {
    console.log(
      `    ${String(bytesInOutput).padStart(6)} B  ${path.replace(/^.*node_modules\/\.pnpm\/[^/]+\/node_modules\//, "")}`,
    );
  }
  const noZod = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external: ["zod", "zod/*"],
    write: false,
    logLevel: "error",
  });
  const gzNoZod = gzipSync(noZod.outputFiles[0].contents, { level: 9 }).length;
  console.log(
    `  min+gz without zod ${gzNoZod} B (${kb(gzNoZod)}); zod/mini adds ${gz - gzNoZod} B (${kb(gz - gzNoZod)})`,
  );
  const over = gz > budget;
  failed ||= over;
  console.log(
    `  issue target ${kb(issueTargetBytes)}: ${gz > issueTargetBytes ? `missed by ${kb(gz - issueTargetBytes)}` : "met"}; ` +
      `enforced budget ${kb(budget)} (${budget} B): ${over ? "OVER" : "ok"}`,
  );
}
if (failed) {
  console.error("size budget exceeded");
  process.exit(1);
}
