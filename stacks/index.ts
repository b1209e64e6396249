export { ConfigError, type ConfigProblem } from "./errors";
export {
  isPlaceholder,
  loadSecrets,
  loadStackConfig,
  resolveSecrets,
  resolveStackConfig,
  type LoadOptions,
} from "./load";
export { PRESETS, type Preset } from "./presets";
export * from "./schema";
export { OFFLINE_SECRET_PLACEHOLDER, SECRETS, type SecretName } from "./secrets";
