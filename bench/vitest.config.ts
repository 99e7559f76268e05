import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // One end-to-end smoke run of every load: real servers, real sockets, a few seconds each.
    testTimeout: 240_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
