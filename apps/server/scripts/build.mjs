#!/usr/bin/env node
// Production build: bundles the server (dist/main.js) and the `podchat` CLI (dist/podchat.js) into
// plain ES modules that `node` runs without tsx. The workspace packages (@podchat/protocol, whose
// exports point at TypeScript sources) are bundled in; every other package stays an import resolved
// from node_modules at run time, so the native ones (better-sqlite3, sharp) load their own binaries.
// The build fails when the bundle imports a package that package.json does not declare: a deployed
// folder only holds the declared dependencies.
import { readFileSync, rmSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
const declared = new Set(Object.keys(pkg.dependencies ?? {}));
const builtins = new Set(builtinModules);

/** The package name of a bare import: `@scope/name/sub` → `@scope/name`, `name/sub` → `name`. */
const packageOf = (spec) =>
  spec
    .split("/")
    .slice(0, spec.startsWith("@") ? 2 : 1)
    .join("/");

const used = new Set();
const externalPackages = {
  name: "external-packages",
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:") || builtins.has(args.path)) return { external: true };
      const name = packageOf(args.path);
      if (name.startsWith("@podchat/")) return undefined; // bundled
      used.add(name);
      return { external: true };
    });
  },
};

rmSync(join(root, "dist"), { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { main: "src/main.ts", podchat: "src/cli/podchat.ts" },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: true,
  // Chunks and entries share one folder; readable stack traces beat a few saved bytes on a server.
  minify: false,
  chunkNames: "chunks/[name]-[hash]",
  plugins: [externalPackages],
  logLevel: "warning",
});

const undeclared = [...used].filter((n) => !declared.has(n)).sort();
if (undeclared.length > 0) {
  console.error(`build: the bundle imports packages missing from dependencies: ${undeclared.join(", ")}`);
  process.exit(1);
}
console.log(`build: dist/main.js, dist/podchat.js (external packages: ${[...used].sort().join(", ")})`);
