import { defineConfig } from "vitest/config";

export default defineConfig({
  resolve: { alias: { "@": new URL(".", import.meta.url).pathname } },
  // tsconfig keeps JSX for Next.js ("preserve"); tests that render components need it compiled.
  oxc: { jsx: { runtime: "automatic" } },
  test: { include: ["**/*.test.ts"], exclude: ["node_modules/**", ".next/**"] },
});
