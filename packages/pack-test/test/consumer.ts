// Throwaway consumer apps outside the repo: pack the publishable packages with `pnpm pack`, install
// the tarballs with npm, type-check with the repo's TypeScript, and measure what a consumer bundles.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build as esbuild } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
export const fixtures = resolve(here, "../fixtures");
const require = createRequire(import.meta.url);

/** The packages a consumer installs from tarballs, by directory in the repo. */
export const publishable = {
  "@podchat/protocol": "packages/protocol",
  "@podchat/client-sdk": "packages/client-sdk",
  "@podchat/backend": "packages/backend",
} as const;
export type Publishable = keyof typeof publishable;

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command; a non-zero exit throws with everything it printed. */
export function run(
  cmd: string,
  args: string[],
  opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      cmd,
      args,
      {
        cwd: opts.cwd,
        env: opts.env ?? process.env,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 16 << 20,
      },
      (err, stdout, stderr) => {
        if (err) {
          reject(
            new Error(
              `${cmd} ${args.join(" ")} (in ${opts.cwd}) failed: ${err.message}\n${stdout}\n${stderr}`,
            ),
          );
        } else {
          resolvePromise({ stdout, stderr });
        }
      },
    );
  });
}

/** The environment without the npm_* variables pnpm/turbo set for this process (they would steer npm). */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!/^npm_/i.test(k)) env[k] = v;
  return { ...env, ...extra };
}

/** pnpm as the running one (turbo/pnpm set npm_execpath), else the repo's pinned version via npx. */
function pnpm(): { cmd: string; pre: string[] } {
  const exec = process.env["npm_execpath"];
  if (exec && /pnpm/.test(exec)) return { cmd: process.execPath, pre: [exec] };
  return { cmd: "npx", pre: ["-y", "pnpm@10.34.8"] };
}

/** `pnpm pack` of each publishable package into `dest`; returns each tarball's path. */
export async function packAll(dest: string): Promise<Record<Publishable, string>> {
  const out = {} as Record<Publishable, string>;
  const { cmd, pre } = pnpm();
  for (const [name, dir] of Object.entries(publishable) as Array<[Publishable, string]>) {
    const before = new Set(readdirSync(dest));
    await run(cmd, [...pre, "pack", "--pack-destination", dest], {
      cwd: join(repoRoot, dir),
      timeoutMs: 120_000,
    });
    const made = readdirSync(dest).filter((f) => !before.has(f) && f.endsWith(".tgz"));
    if (made.length !== 1) throw new Error(`pnpm pack of ${name} made ${made.join(", ") || "nothing"}`);
    out[name] = join(dest, made[0]!);
  }
  return out;
}

/** The version of a dependency installed for this package: the one the repo's lockfile pins. */
export function lockedVersion(name: string): string {
  return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), "utf8")) as { version: string })
    .version;
}

/**
 * Makes an app in `dir` from a fixture (plus shared files copied into `src/`), with a package.json
 * depending on the tarballs and the given registry packages, and installs it with npm.
 */
export async function makeApp(opts: {
  dir: string;
  fixture: string;
  shared?: string[];
  type?: "module";
  tarballs: string[];
  registry?: string[];
}): Promise<void> {
  mkdirSync(opts.dir, { recursive: true });
  cpSync(join(fixtures, opts.fixture), opts.dir, { recursive: true });
  if (opts.shared?.length) {
    mkdirSync(join(opts.dir, "src"), { recursive: true });
    for (const f of opts.shared) cpSync(join(fixtures, "shared", f), join(opts.dir, "src", f));
  }
  const dependencies: Record<string, string> = {};
  for (const t of opts.tarballs) {
    const name = /^podchat-(.+)-\d+\.\d+\.\d+.*\.tgz$/.exec(t.split("/").at(-1)!)?.[1];
    if (!name) throw new Error(`not a podchat tarball: ${t}`);
    dependencies[`@podchat/${name}`] = `file:${relative(opts.dir, t)}`;
  }
  for (const r of opts.registry ?? []) dependencies[r] = lockedVersion(r);
  writeFileSync(
    join(opts.dir, "package.json"),
    `${JSON.stringify(
      {
        name: opts.fixture,
        version: "1.0.0",
        private: true,
        ...(opts.type ? { type: opts.type } : {}),
        dependencies,
      },
      null,
      2,
    )}\n`,
  );
  await run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
    cwd: opts.dir,
    env: cleanEnv(),
    timeoutMs: 150_000,
  });
}

/** The repo's TypeScript compiler, run on an app's tsconfig. */
export function tsc(dir: string, project = "tsconfig.json"): Promise<RunResult> {
  return run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", project], { cwd: dir });
}

export interface BundleSize {
  minBytes: number;
  gzipBytes: number;
  /** Bundled inputs outside the entry, relative to the app. */
  inputs: string[];
}

/**
 * What a consumer ships for its import of the core: `entry` (an app file importing or requiring
 * `@podchat/client-sdk`) bundled by esbuild from the app's node_modules with the conditions its
 * syntax selects (import → the .mjs build, require → the .cjs build), minified for browsers, gzip -9.
 */
export async function bundleSize(appDir: string, entry: string): Promise<BundleSize> {
  const out = await esbuild({
    absWorkingDir: appDir,
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    metafile: true,
    logLevel: "error",
  });
  const js = out.outputFiles[0]!.contents;
  return {
    minBytes: js.length,
    gzipBytes: gzipSync(js, { level: 9 }).length,
    inputs: Object.keys(out.metafile.inputs).filter((p) => p !== entry),
  };
}

/** Inputs that are not the SDK's own built files: zod, the protocol package, or anything else. */
export function unexpectedInputs(inputs: string[]): string[] {
  return inputs.filter((p) => !/^node_modules\/@podchat\/client-sdk\/dist\/[^/]+\.(mjs|cjs)$/.test(p));
}
