import * as z from "zod";

const EnvSchema = z.object({
  SENDBIRD_EMULATOR_PORT: z.coerce.number().int().min(0).max(65_535).default(8090),
  SENDBIRD_EMULATOR_API_TOKEN: z.string().min(1).default("emulator-token"),
});

export type EmulatorEnv = z.output<typeof EnvSchema>;

/** The emulator's environment, validated; the only place that reads `process.env`. */
export function readEnv(env: NodeJS.ProcessEnv = process.env): EmulatorEnv {
  return EnvSchema.parse(env);
}
