/** Where the e2e stack listens: unusual loopback ports so a developer's `start` is not disturbed. */
export const stack = {
  emulatorPort: Number(process.env.E2E_EMULATOR_PORT ?? 38190),
  serverPort: Number(process.env.E2E_SERVER_PORT ?? 38180),
  adminPort: Number(process.env.E2E_ADMIN_PORT ?? 38130),
  /** A second admin whose podchat server is down (nothing listens on `deadServerPort`). */
  orphanAdminPort: Number(process.env.E2E_ORPHAN_ADMIN_PORT ?? 38131),
  deadServerPort: Number(process.env.E2E_DEAD_SERVER_PORT ?? 38199),
  /** Directory for the server's SQLite file; run.mjs makes a fresh one. */
  dataDir: process.env.E2E_DATA_DIR ?? "/tmp/podchat-e2e",
  get emulatorUrl() {
    return `http://127.0.0.1:${this.emulatorPort}`;
  },
  get serverUrl() {
    return `http://127.0.0.1:${this.serverPort}`;
  },
  get adminUrl() {
    return `http://127.0.0.1:${this.adminPort}`;
  },
  get orphanAdminUrl() {
    return `http://127.0.0.1:${this.orphanAdminPort}`;
  },
  admin: { username: "admin", password: "admin" },
  sendbird: { appId: "local", apiToken: "emulator-token" },
};
