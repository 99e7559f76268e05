import { defineConfig, type UserConfig } from "tsdown";

// The published build: ESM (.mjs) and CommonJS (.cjs) for `.`, `./react`, `./inbox`, `./inbox/react` and `./push`, with bundled
// declarations (.d.mts / .d.cts). The protocol code the SDK runs (close codes, the generated
// validators) is inlined and tree-shaken into the JS, so no app — ESM or CommonJS — loads zod
// through the SDK; the declarations import their types from `@podchat/protocol` (a dependency), as
// inlining them would fork the protocol's types. React is the app's.
const declaration = /\.d\.[cm]?ts$/;

const common = {
  format: ["esm", "cjs"],
  platform: "neutral",
  target: "es2022",
  fixedExtension: true,
  sourcemap: true,
  tsconfig: "tsconfig.build.json",
  dts: true,
  deps: {
    // The inbox entries import the public entries by the package's own name (`@podchat/client-sdk`,
    // `…/react`, `…/inbox`): those stay imports, so an app using both ships the core once, and the
    // declarations name one PodchatClient.
    neverBundle: ["react", /^@podchat\/client-sdk(\/|$)/],
    alwaysBundle: (id: string, importer: string | undefined) =>
      id.startsWith("@podchat/protocol") && !declaration.test(importer ?? ""),
  },
} satisfies UserConfig;

// Two builds, so no chunk is shared between the core and the inbox: the core's files are the same
// as without the inbox (its size budget counts them), and the inbox inlines its own copy of the
// protocol code it runs.
export default defineConfig([
  { ...common, entry: { index: "src/index.ts", react: "src/react/index.ts" }, clean: true },
  { ...common, entry: { inbox: "src/inbox/index.ts", "inbox-react": "src/inbox/react.ts" }, clean: false },
  // Web Push registration: standalone (imports nothing), so it shares no chunk either.
  { ...common, entry: { push: "src/push/index.ts" }, clean: false },
]);
