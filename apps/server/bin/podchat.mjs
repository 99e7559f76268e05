#!/usr/bin/env node
// The `podchat` command: the built CLI (`pnpm build` writes dist/). From the sources, without a
// build: `pnpm --filter @podchat/server podchat -- <args>`.
import { existsSync } from "node:fs";

const built = new URL("../dist/podchat.js", import.meta.url);
if (!existsSync(built)) {
  console.error("podchat: not built yet; run `pnpm build` (or use `pnpm --filter @podchat/server podchat`)");
  process.exit(1);
}
await import(built.href);
