/**
 * Whether this process is the offline plan (`npm run plan`) rather than a Pulumi engine run.
 * It is a process-global flag, never an environment variable, so a real `pulumi up` cannot
 * be talked into accepting placeholder identifiers or fake credentials.
 */
const OFFLINE_PLAN = Symbol.for("ara.offlinePlan");

export function setOfflinePlan(offline: boolean): void {
  (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN] = offline;
}

export function isOfflinePlan(): boolean {
  return (globalThis as Record<symbol, unknown>)[OFFLINE_PLAN] === true;
}
