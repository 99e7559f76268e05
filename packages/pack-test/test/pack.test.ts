// The published packages as an app outside the repo gets them: `pnpm pack` tarballs installed with
// npm into throwaway apps in a temp dir (ESM TypeScript with NodeNext and Bundler resolution,
// CommonJS TypeScript, a Vite app, a plain Node script). Each type-checks with skipLibCheck off,
// builds, chats with a real podchat server (connect, send, ACK, its own message back), and bundles
// the core within the 8 KB budget (and the inbox entry within its 6 KB on top) with nothing but the
// SDK's own files in the bundle.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { build as viteBuild, type Rollup } from "vite";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  bundleSize,
  cleanEnv,
  makeApp,
  type Publishable,
  packAll,
  repoRoot,
  run,
  tsc,
  unexpectedInputs,
} from "./consumer.ts";
import { type ChatServer, startChatServer } from "./server.ts";

const CORE_BUDGET_BYTES = 8 * 1024;
/** `@podchat/client-sdk/inbox` on top of the core (the SDK README's "Size"). */
const INBOX_BUDGET_BYTES = 6 * 1024;
const CHANNEL = "pack_test_chat";
const CHROMIUM = "/usr/bin/chromium";
/** Modules the bundler adds itself (Vite's preload helper, rolldown's runtime), not the app's or a package's. */
const bundlerHelper = /^\0?(vite|rolldown)\//;

const work = realpathSync(mkdtempSync(join(tmpdir(), "podchat-pack-")));
let tarballs: Record<Publishable, string>;
let chat: ChatServer;
let staticServer: Server;
let staticUrl = "";

interface RoundTripOutput {
  ack: { seq: number; messageId: string; reqId: string; duplicate: boolean };
  received: {
    seq: number;
    message_id: string;
    user_id: number | string;
    message: string;
    channel_url: string;
  };
}

/** Checks an app's printed round-trip, and that the server stored that message from that user. */
async function expectRoundTrip(out: RoundTripOutput, userId: number, text: string) {
  expect(out.ack.duplicate).toBe(false);
  expect(out.received).toMatchObject({ channel_url: CHANNEL, user_id: userId, message: text });
  expect(out.received.seq).toBe(out.ack.seq);
  expect(out.received.message_id).toBe(out.ack.messageId);
  const res = await chat.api(`/api/v1/chat/channels/${CHANNEL}/messages?limit=200`);
  expect(res.status).toBe(200);
  const { messages } = (await res.json()) as { messages: RoundTripOutput["received"][] };
  expect(messages.find((m) => m.seq === out.ack.seq)).toMatchObject({ user_id: userId, message: text });
}

const sdkTarballs = () => [tarballs["@podchat/protocol"], tarballs["@podchat/client-sdk"]];

/** Runs the app's compiled backend-main.js: creates `channelUrl` through @podchat/backend. */
async function expectBackendCall(dir: string, channelUrl: string) {
  const { stdout } = await run(process.execPath, ["dist/backend-main.js"], {
    cwd: dir,
    env: cleanEnv({ PODCHAT_URL: chat.url, PODCHAT_API_KEY: chat.apiKey, PODCHAT_CHANNEL: channelUrl }),
  });
  const out = JSON.parse(stdout) as { channel: Record<string, unknown>; notFound: string };
  expect(out.channel).toMatchObject({ channel_url: channelUrl, member_count: 3, data: { pod_id: 123 } });
  expect(out.notFound).toBe("404 CHANNEL_NOT_FOUND");
  const res = await chat.api(`/api/v1/chat/channels/${channelUrl}`);
  expect(res.status).toBe(200);
}

function nodeEnv(userId: number, text: string) {
  return cleanEnv({
    PODCHAT_URL: chat.url,
    PODCHAT_TOKEN: chat.token(String(userId)),
    PODCHAT_CHANNEL: CHANNEL,
    PODCHAT_TEXT: text,
  });
}

/** The core as this consumer resolves it, in full (every export), within budget and SDK-only. */
async function expectCoreBudget(appDir: string, entry: string, source: string, built: RegExp) {
  writeFileSync(join(appDir, entry), source);
  const size = await bundleSize(appDir, entry);
  console.log(
    `[pack-test] ${appDir.split("/").at(-1)} core (${entry}): ${size.minBytes} B min, ${size.gzipBytes} B min+gz`,
  );
  expect(unexpectedInputs(size.inputs)).toEqual([]);
  expect(size.inputs.some((p) => built.test(p))).toBe(true);
  expect(size.gzipBytes).toBeLessThanOrEqual(CORE_BUDGET_BYTES);
  return size.gzipBytes;
}

/**
 * The inbox entry in full with the core it imports (one copy of each), SDK-only, and what it adds to
 * the core (`coreGz`, measured the same way) within the inbox's own budget.
 */
async function expectInboxBudget(
  appDir: string,
  entry: string,
  source: string,
  ext: "mjs" | "cjs",
  coreGz: number,
) {
  writeFileSync(join(appDir, entry), source);
  const size = await bundleSize(appDir, entry);
  const onTop = size.gzipBytes - coreGz;
  console.log(
    `[pack-test] ${appDir.split("/").at(-1)} core + inbox (${entry}): ${size.minBytes} B min, ${size.gzipBytes} B min+gz, inbox ${onTop} B on top of the core`,
  );
  expect(unexpectedInputs(size.inputs)).toEqual([]);
  expect(size.inputs.filter((p) => p.endsWith(`.${ext}`)).map((p) => p.split("/").at(-1))).toEqual(
    expect.arrayContaining([`inbox.${ext}`, `index.${ext}`]),
  );
  expect(onTop).toBeLessThanOrEqual(INBOX_BUDGET_BYTES);
}

/** Runs the app's compiled inbox-main.js: a channel handle and the inbox over one socket. */
async function expectInboxRoundTrip(dir: string, userId: number, text: string) {
  const { stdout } = await run(process.execPath, ["dist/inbox-main.js"], {
    cwd: dir,
    env: nodeEnv(userId, text),
  });
  const out = JSON.parse(stdout) as {
    ack: { seq: number; duplicate: boolean };
    row: { channel_url: string; last_seq: number };
    sockets: number;
  };
  expect(out.sockets).toBe(1);
  expect(out.ack.duplicate).toBe(false);
  expect(out.row).toEqual({ channel_url: CHANNEL, last_seq: out.ack.seq });
  const res = await chat.api(`/api/v1/chat/channels/${CHANNEL}/messages?limit=200`);
  const { messages } = (await res.json()) as { messages: RoundTripOutput["received"][] };
  expect(messages.find((m) => m.seq === out.ack.seq)).toMatchObject({ user_id: userId, message: text });
}

function tarList(tgz: string): string[] {
  return execFileSync("tar", ["tzf", tgz], { encoding: "utf8" }).trim().split("\n");
}
function tarManifest(tgz: string): Record<string, unknown> {
  return JSON.parse(execFileSync("tar", ["xzf", tgz, "-O", "package/package.json"], { encoding: "utf8" }));
}
/** Every file path an `exports` map names. */
function exportTargets(exportsMap: unknown): string[] {
  if (typeof exportsMap === "string") return [exportsMap];
  if (exportsMap && typeof exportsMap === "object") return Object.values(exportsMap).flatMap(exportTargets);
  return [];
}

beforeAll(async () => {
  if (work.startsWith(realpathSync(repoRoot))) throw new Error(`temp dir ${work} is inside the repo`);
  tarballs = await packAll(work);
  staticServer = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    const file = join(work, "vite/dist", path === "/" ? "index.html" : path);
    if (!file.startsWith(join(work, "vite/dist")) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type =
      { ".html": "text/html", ".js": "text/javascript" }[extname(file)] ?? "application/octet-stream";
    res.writeHead(200, { "Content-Type": type }).end(readFileSync(file));
  });
  await new Promise<void>((r) => staticServer.listen(0, "127.0.0.1", r));
  staticUrl = `http://127.0.0.1:${(staticServer.address() as { port: number }).port}`;
  chat = await startChatServer(work, [staticUrl]);
  const res = await chat.api("/api/v1/chat/channels", {
    method: "POST",
    json: { channel_url: CHANNEL, name: "pack test", user_ids: ["1", "2", "3", "4"] },
  });
  if (res.status !== 201) throw new Error(`create channel: ${res.status} ${await res.text()}`);
});

afterAll(async () => {
  await chat?.close();
  await new Promise<void>((r) => (staticServer ? staticServer.close(() => r()) : r()));
  rmSync(work, { recursive: true, force: true });
});

describe("packed tarballs", () => {
  test("manifests name dist files only, with no workspace: ranges, MIT, and the files they point at", () => {
    const protocolVersion = tarManifest(tarballs["@podchat/protocol"])["version"];
    for (const [name, tgz] of Object.entries(tarballs)) {
      const m = tarManifest(tgz);
      const files = tarList(tgz);
      expect(m["name"]).toBe(name);
      expect(m["license"]).toBe("MIT");
      expect(m["sideEffects"]).toBe(false);
      expect(m["repository"]).toBeTruthy();
      expect(files).toContain("package/LICENSE");
      expect(files.filter((f) => f.startsWith("package/src/"))).toEqual([]);
      expect(JSON.stringify(m)).not.toContain("workspace:");
      const targets = exportTargets(m["exports"]).filter((t) => t !== "./package.json");
      expect(targets.length).toBeGreaterThan(0);
      for (const t of targets) {
        expect(t).toMatch(/^\.\/dist\/.+\.(mjs|cjs|d\.mts|d\.cts)$/);
        expect(files).toContain(`package/${t.slice(2)}`);
      }
      for (const entry of Object.values(m["exports"] as Record<string, unknown>)) {
        if (typeof entry === "string") continue;
        expect(Object.keys(entry as object)).toEqual(["import", "require"]);
      }
    }
    for (const dependent of ["@podchat/client-sdk", "@podchat/backend"] as const) {
      expect(tarManifest(tarballs[dependent])["dependencies"]).toEqual({
        "@podchat/protocol": protocolVersion,
      });
    }
  });
});

describe("consumer apps", () => {
  test("ESM TypeScript app (NodeNext and Bundler resolution)", async () => {
    const dir = join(work, "esm-ts");
    await makeApp({
      dir,
      fixture: "esm-ts",
      shared: ["round-trip.ts", "node-main.ts", "react-types.ts", "backend-main.ts", "inbox-main.ts"],
      type: "module",
      tarballs: Object.values(tarballs),
      registry: ["ws", "@types/ws", "@types/node", "@types/react"],
    });
    await tsc(dir, "tsconfig.bundler.json");
    await tsc(dir, "tsconfig.json");
    expect(readFileSync(join(dir, "dist/round-trip.js"), "utf8")).toMatch(/from "@podchat\/client-sdk"/);
    await expectBackendCall(dir, "pack_esm_backend");
    const text = `hello from an ESM app ${Date.now()}`;
    const { stdout } = await run(process.execPath, ["dist/node-main.js"], {
      cwd: dir,
      env: nodeEnv(1, text),
    });
    await expectRoundTrip(JSON.parse(stdout), 1, text);
    await expectInboxRoundTrip(dir, 1, `inbox from an ESM app ${Date.now()}`);
    const coreGz = await expectCoreBudget(
      dir,
      "core-import.mjs",
      'export * from "@podchat/client-sdk";\n',
      /client-sdk\/dist\/index\.mjs$/,
    );
    await expectInboxBudget(
      dir,
      "inbox-import.mjs",
      'export * from "@podchat/client-sdk";\nexport * from "@podchat/client-sdk/inbox";\n',
      "mjs",
      coreGz,
    );
  });

  test("CommonJS TypeScript app (npm's default type, require at run time)", async () => {
    const dir = join(work, "cjs-ts");
    await makeApp({
      dir,
      fixture: "cjs-ts",
      shared: ["round-trip.ts", "node-main.ts", "react-types.ts", "backend-main.ts", "inbox-main.ts"],
      tarballs: Object.values(tarballs),
      registry: ["ws", "@types/ws", "@types/node", "@types/react"],
    });
    await tsc(dir);
    expect(readFileSync(join(dir, "dist/round-trip.js"), "utf8")).toMatch(
      /require\("@podchat\/client-sdk"\)/,
    );
    expect(readFileSync(join(dir, "dist/backend-main.js"), "utf8")).toMatch(/require\("@podchat\/backend"\)/);
    await expectBackendCall(dir, "pack_cjs_backend");
    const text = `hello from a CommonJS app ${Date.now()}`;
    const { stdout } = await run(process.execPath, ["dist/node-main.js"], {
      cwd: dir,
      env: nodeEnv(2, text),
    });
    await expectRoundTrip(JSON.parse(stdout), 2, text);
    await expectInboxRoundTrip(dir, 2, `inbox from a CommonJS app ${Date.now()}`);
    const coreGz = await expectCoreBudget(
      dir,
      "core-require.cjs",
      'module.exports = require("@podchat/client-sdk");\n',
      /client-sdk\/dist\/index\.cjs$/,
    );
    await expectInboxBudget(
      dir,
      "inbox-require.cjs",
      'module.exports = { ...require("@podchat/client-sdk"), ...require("@podchat/client-sdk/inbox") };\n',
      "cjs",
      coreGz,
    );
  });

  test("plain Node script (no TypeScript, no build)", async () => {
    const dir = join(work, "node-script");
    await makeApp({
      dir,
      fixture: "node-script",
      type: "module",
      tarballs: sdkTarballs(),
      registry: ["ws"],
    });
    const text = `hello from a Node script ${Date.now()}`;
    const { stdout } = await run(process.execPath, ["main.mjs"], { cwd: dir, env: nodeEnv(3, text) });
    await expectRoundTrip(JSON.parse(stdout), 3, text);
    await expectCoreBudget(
      dir,
      "core-import.mjs",
      'export * from "@podchat/client-sdk";\n',
      /client-sdk\/dist\/index\.mjs$/,
    );
  });

  describe("Vite app", () => {
    const dir = join(work, "vite");

    test("type-checks, and vite build ships the SDK within budget and nothing else", async () => {
      await makeApp({
        dir,
        fixture: "vite",
        shared: ["round-trip.ts"],
        type: "module",
        tarballs: sdkTarballs(),
      });
      await tsc(dir);
      const modules = new Set<string>();
      const out = (await viteBuild({
        root: dir,
        configFile: false,
        logLevel: "error",
        build: { outDir: join(dir, "dist"), emptyOutDir: true },
        plugins: [
          {
            name: "record-modules",
            generateBundle(_options, bundle) {
              for (const chunk of Object.values(bundle)) {
                if (chunk.type === "chunk") for (const id of chunk.moduleIds) modules.add(id);
              }
            },
          },
        ],
      })) as Rollup.RollupOutput;
      const chunks = out.output.filter((o): o is Rollup.OutputChunk => o.type === "chunk");
      const appGz = chunks.reduce((n, c) => n + gzipLength(c.code), 0);
      const appMin = chunks.reduce((n, c) => n + Buffer.byteLength(c.code), 0);
      console.log(
        `[pack-test] vite app (its code, Vite's preload polyfill, the SDK it uses): ${appMin} B min, ${appGz} B min+gz`,
      );
      const foreign = [...modules].filter(
        (id) =>
          !id.startsWith(join(dir, "src/")) &&
          !id.startsWith(`${dir}/index.html`) &&
          !/\/node_modules\/@podchat\/client-sdk\/dist\/[^/]+\.mjs$/.test(id) &&
          !bundlerHelper.test(id),
      );
      expect(foreign).toEqual([]);
      expect([...modules].some((id) => id.endsWith("/node_modules/@podchat/client-sdk/dist/index.mjs"))).toBe(
        true,
      );

      // The budget is the core's: every export of `@podchat/client-sdk` kept, bundled and minified by
      // Vite as an app build does (its module-preload polyfill, which is not the SDK's, left out).
      writeFileSync(
        join(dir, "core-import.mjs"),
        'import * as podchat from "@podchat/client-sdk";\nglobalThis.podchat = podchat;\n',
      );
      const core = (await viteBuild({
        root: dir,
        configFile: false,
        logLevel: "error",
        build: {
          rollupOptions: { input: join(dir, "core-import.mjs") },
          modulePreload: { polyfill: false },
          write: false,
        },
      })) as Rollup.RollupOutput;
      const coreChunk = core.output.find((o): o is Rollup.OutputChunk => o.type === "chunk")!;
      const coreGz = gzipLength(coreChunk.code);
      console.log(
        `[pack-test] vite core (core-import.mjs): ${Buffer.byteLength(coreChunk.code)} B min, ${coreGz} B min+gz`,
      );
      expect(Object.keys(coreChunk.modules).filter((id) => !id.endsWith("/core-import.mjs"))).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/\/node_modules\/@podchat\/client-sdk\/dist\/index\.mjs$/),
        ]),
      );
      expect(
        Object.keys(coreChunk.modules).filter(
          (id) =>
            !id.endsWith("/core-import.mjs") &&
            !bundlerHelper.test(id) &&
            !/\/node_modules\/@podchat\/client-sdk\/dist\/[^/]+\.mjs$/.test(id),
        ),
      ).toEqual([]);
      expect(coreGz).toBeLessThanOrEqual(CORE_BUDGET_BYTES);
    });

    test("the built app chats in Chromium", async (ctx) => {
      if (!existsSync(join(dir, "dist/index.html"))) throw new Error("the vite build did not run");
      if (!existsSync(CHROMIUM)) {
        const why = `${CHROMIUM} is missing (apt-get install -y chromium): the Vite app's browser round-trip did not run`;
        if (process.env["CI"] === "true") throw new Error(why);
        console.warn(`\n!!! [pack-test] SKIPPED: ${why}\n`);
        ctx.skip(why);
      }
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"],
      });
      try {
        const page = await browser.newPage();
        const text = `hello from a Vite app ${Date.now()}`;
        const q = new URLSearchParams({ url: chat.url, token: chat.token("4"), channel: CHANNEL, text });
        await page.goto(`${staticUrl}/?${q}`);
        const result = page.locator("#result:not([data-state='running'])");
        await result.waitFor({ timeout: 20_000 });
        expect(await result.getAttribute("data-state"), (await result.textContent()) ?? "").toBe("ok");
        await expectRoundTrip(JSON.parse((await result.textContent()) ?? ""), 4, text);
      } finally {
        await browser.close();
      }
    });
  });
});

function gzipLength(code: string): number {
  return gzipSync(code, { level: 9 }).length;
}
