import { defineConfig } from "vitest/config";

// One file, run in order: packing and installing are shared by the consumer apps' tests.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
