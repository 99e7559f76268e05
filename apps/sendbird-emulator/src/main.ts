import { readEnv } from "./env.ts";
import { startSendbirdEmulator } from "./start-sendbird-emulator.ts";

const env = readEnv();
const emulator = await startSendbirdEmulator({
  port: env.SENDBIRD_EMULATOR_PORT,
  apiToken: env.SENDBIRD_EMULATOR_API_TOKEN,
  appId: "local",
});
console.log(`Sendbird emulator (app id "local") listening at ${emulator.url}`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void emulator.close().then(() => process.exit(0));
  });
}
