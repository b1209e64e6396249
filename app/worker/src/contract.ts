import contract from "../contract.json";

/** Defaults for the plain-text vars; the worker applies them when a var is unset. */
export const SIGNER_DEFAULTS = contract.defaults;
export const REPLICATOR_DEFAULTS = contract.replicator.defaults;

/** R2 event actions that create a new object version; the replicator copies only these. */
export const REPLICATED_ACTIONS: readonly string[] = contract.replicator.eventActions;

/** Every signed URL lives under this path; the Pulumi route is `<host>/r2/*`. */
export const OBJECT_PATH_PREFIX = "/r2/object/";

/** The web app's log batches go here (under the route); the app's LOG_ARCHIVE_URL ends with it. */
export const APP_LOGS_PATH = contract.appLogsPath;
