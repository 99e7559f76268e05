export type { Config, WebhookEndpointConfig } from "./config-schema.ts";
export {
  ConfigError,
  type ConfigSources,
  DEV_SECRETS,
  type LoadConfigOptions,
  configWarnings,
  loadConfig,
  readYamlChatFlags,
} from "./load-config.ts";
