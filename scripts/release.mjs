#!/usr/bin/env node
// `pnpm release`: applies the pending changesets (versions + CHANGELOGs of the publishable
// packages, one fixed version for all three), then packs each with `pnpm pack` into release/ and
// checks the packed manifests. Nothing is published from here: publishing is `npm publish
// release/<tarball>` by whoever holds the registry credentials (docs/releasing.md).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const publishable = ["packages/protocol", "packages/client-sdk", "packages/backend"];
const out = join(root, "release");
const pnpm = process.env.npm_execpath?.includes("pnpm")
  ? [process.execPath, process.env.npm_execpath]
  : ["npx", "-y", "pnpm@10.34.8"];
const sh = (cmd, args, cwd = root) =>
  execFileSync(cmd, args, { cwd, stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });

if (!process.argv.includes("--no-version")) {
  console.log("changeset version");
  process.stdout.write(sh(join(root, "node_modules/.bin/changeset"), ["version"]));
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out);
const versions = new Set();
for (const dir of publishable) {
  const before = new Set(readdirSync(out));
  // prepack builds dist/ first, so a tarball never carries a stale build.
  sh(pnpm[0], [...pnpm.slice(1), "pack", "--pack-destination", out], join(root, dir));
  const tgz = readdirSync(out).find((f) => !before.has(f));
  if (!tgz) throw new Error(`pnpm pack made nothing for ${dir}`);
  const manifest = JSON.parse(
    execFileSync("tar", ["xzf", join(out, tgz), "-O", "package/package.json"], { encoding: "utf8" }),
  );
  const text = JSON.stringify(manifest);
  if (text.includes("workspace:"))
    throw new Error(`${tgz}: the packed package.json still has workspace: ranges`);
  if (text.includes("./src/")) throw new Error(`${tgz}: the packed package.json points at src/`);
  const own = JSON.parse(readFileSync(join(root, dir, "package.json"), "utf8"));
  if (manifest.version !== own.version)
    throw new Error(`${tgz}: version ${manifest.version} != ${own.version}`);
  versions.add(manifest.version);
  console.log(
    `packed release/${tgz} (${manifest.name}@${manifest.version}, deps ${JSON.stringify(manifest.dependencies ?? {})})`,
  );
}
if (versions.size !== 1) throw new Error(`fixed versioning broken: ${[...versions].join(", ")}`);
console.log(`release ${[...versions][0]}: ${readdirSync(out).length} tarballs in release/ (not published)`);
