// Size budgets, the core's as a browser app ships it: bundled with everything it imports (the
// SDK and the @podchat/protocol code it uses; nothing is left out), minified with esbuild, gzipped
// at level 9. Exits 1 when the core is over 8 KB (8192 B), the issue's budget, or the inbox entry
// (measured on top of the core, which it imports) over its own 6 KB.
//
// Frames and REST bodies are checked with the validators generated from the protocol's zod schemas
// (@podchat/protocol/validate: src/generated/validators.ts on the combinators of src/check.ts), so
// the core carries no zod. See README "Size".
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const KB = 1024;
const coreBudgetBytes = 8 * KB;
/** `@podchat/client-sdk/inbox` on top of the core (README "Size"). */
const inboxBudgetBytes = 6 * KB;
/** `@podchat/client-sdk/push` (standalone: it imports nothing). */
const pushBudgetBytes = 1 * KB;

const entries = [
  {
    name: "core (SDK + protocol validators)",
    entry: "src/index.ts",
    external: [],
    budget: coreBudgetBytes,
  },
  // The React entry takes the client from the app (types only), so it adds just this on top of the core.
  {
    name: "react entry (on top of the core; react itself excluded)",
    entry: "src/react/index.ts",
    external: ["react"],
  },
  // The inbox imports the core by the package's name (as its published build does), so this is what
  // it adds to an app that has the core: its own code and its own copy of the validators it runs.
  {
    name: "inbox entry (on top of the core)",
    entry: "src/inbox/index.ts",
    external: ["@podchat/client-sdk"],
    budget: inboxBudgetBytes,
    onTop: true,
  },
  {
    name: "inbox/react entry (on top of the core, react entry and inbox; react itself excluded)",
    entry: "src/inbox/react.ts",
    external: ["react", "@podchat/client-sdk", "@podchat/client-sdk/react", "@podchat/client-sdk/inbox"],
  },
  {
    name: "push entry (Web Push registration; standalone)",
    entry: "src/push/index.ts",
    external: [],
    budget: pushBudgetBytes,
  },
];

/** Which part of the bundle an input file belongs to. */
function groupOf(path) {
  if (path.includes("node_modules/.pnpm/zod@") || path.includes("node_modules/zod/")) return "zod";
  if (/(packages\/protocol|^\.\.\/protocol)\/src\/(generated\/|check\.ts)/.test(path)) return "validators";
  if (path.includes("packages/protocol/") || path.startsWith("../protocol/")) return "protocol";
  return "sdk";
}

const bundle = (entry, external, plugins = []) =>
  build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    external,
    plugins,
    write: false,
    metafile: true,
    logLevel: "error",
  });

/** Replaces the validators with stubs that accept everything: the build without them (attribution). */
const withoutValidators = {
  name: "without-validators",
  setup(b) {
    b.onResolve({ filter: /^@podchat\/protocol\/validate$/ }, () => ({
      path: "validate",
      namespace: "stub",
    }));
    b.onLoad({ filter: /.*/, namespace: "stub" }, () => ({
      loader: "js",
      resolveDir: fileURLToPath(new URL("..", import.meta.url)),
      contents:
        "const ok = (data) => ({ success: true, data }); export const parser = () => ok; export const parseServerFrame = ok; export const parseUserServerFrame = ok;" +
        'export { isMessageFrame } from "../protocol/src/frame-kinds.ts";',
    }));
  },
};

const kb = (n) => `${(n / KB).toFixed(2)} KB`;
let failed = false;
for (const { name, entry, external, budget, onTop } of entries) {
  const out = await bundle(entry, external);
  const js = out.outputFiles[0].contents;
  const gz = gzipSync(js, { level: 9 }).length;
  const inputs = Object.entries(Object.values(out.metafile.outputs)[0].inputs);
  if (inputs.some(([p]) => /node_modules\/(\.pnpm\/)?react/.test(p))) {
    throw new Error(`${entry} bundles react`);
  }
  // An entry on top of the core must not carry a copy of it.
  const core = inputs.filter(([p]) => /^src\/(?!inbox\/|emitter\.ts$)/.test(p)).map(([p]) => p);
  if (onTop && core.length) throw new Error(`${entry} bundles the core's ${core.join(", ")}`);
  console.log(`size ${name}: ${js.length} B min, ${gz} B min+gz (${kb(gz)})`);
  if (budget === undefined) continue;

  // Where the bytes go: minified bytes per part and the largest inputs. Gzip is not additive, so the
  // validators' share is also given as the difference to a build that stubs them (attribution only).
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
  const stubbed = await bundle(entry, external, [withoutValidators]);
  const gzStubbed = gzipSync(stubbed.outputFiles[0].contents, { level: 9 }).length;
  console.log(
    `  min+gz without the validators ${gzStubbed} B (${kb(gzStubbed)}); validators add ${gz - gzStubbed} B (${kb(gz - gzStubbed)})`,
  );
  if (groups.zod) {
    failed = true;
    console.log(`  ${entry} bundles zod: use @podchat/protocol/validate, not the zod schemas`);
  }
  const over = gz > budget;
  failed ||= over;
  console.log(
    `  budget ${kb(budget)} (${budget} B): ${over ? `OVER by ${gz - budget} B` : `ok, ${budget - gz} B to spare`}`,
  );
}
if (failed) {
  console.error("size budget exceeded");
  process.exit(1);
}
