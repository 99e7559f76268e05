import { join } from "node:path";
import { defineConfig } from "@playwright/test";
import { stack } from "./stack";

const root = join(import.meta.dirname, "..");

export default defineConfig({
  testDir: "./specs",
  // One worker: the specs share one server whose dev flag one of them flips.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"], ["html", { open: "never" }]],
  use: {
    baseURL: stack.adminUrl,
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-quic",
        "--no-first-run",
      ],
    },
  },
  webServer: [
    {
      name: "sendbird-emulator",
      command: "node --import tsx src/main.ts",
      cwd: join(root, "apps/sendbird-emulator"),
      url: `${stack.emulatorUrl}/v3/group_channels`,
      env: { SENDBIRD_EMULATOR_PORT: String(stack.emulatorPort) },
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      name: "podchat-server",
      command: "node --import tsx src/main.ts",
      cwd: join(root, "apps/server"),
      url: `${stack.serverUrl}/readyz`,
      env: {
        APP_ENV: "dev",
        HOST: "127.0.0.1",
        PORT: String(stack.serverPort),
        SQLITE_PATH: join(stack.dataDir, "podchat.sqlite"),
        SENDBIRD_BASE_URL: `${stack.emulatorUrl}/v3`,
        SENDBIRD_APP_ID: stack.sendbird.appId,
        SENDBIRD_API_TOKEN: stack.sendbird.apiToken,
        CORS_ORIGINS: stack.adminUrl,
        ALLOWED_ORIGINS: stack.adminUrl,
        LOG_LEVEL: "warn",
      },
      reuseExistingServer: false,
      timeout: 60_000,
    },
    {
      name: "admin",
      command: "node scripts/admin.mjs",
      cwd: root,
      url: `${stack.adminUrl}/login`,
      env: {
        PODCHAT_SERVER_URL: stack.serverUrl,
        ADMIN_PORT: String(stack.adminPort),
        ADMIN_HOST: "127.0.0.1",
      },
      reuseExistingServer: false,
      // Includes `next build` when the build is missing or stale (≈ 30–60 s on two cores).
      timeout: 240_000,
    },
    {
      // Same build (made by the entry above), pointed at a port nothing listens on.
      name: "admin-without-server",
      command: "node scripts/admin.mjs",
      cwd: root,
      url: `${stack.orphanAdminUrl}/login`,
      env: {
        PODCHAT_SERVER_URL: `http://127.0.0.1:${stack.deadServerPort}`,
        ADMIN_PORT: String(stack.orphanAdminPort),
        ADMIN_HOST: "127.0.0.1",
      },
      reuseExistingServer: false,
      timeout: 240_000,
    },
  ],
});
