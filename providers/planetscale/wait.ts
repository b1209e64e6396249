// Bounded polling until a PlanetScale resource reaches the wanted state.
// Serialized with the provider: functions and plain data only.

export interface PollSettings {
  /** Delay between polls. */
  intervalMs: number;
  /** Give up after this long (measured from the first poll). */
  timeoutMs: number;
}

export interface ReadyTimeoutError extends Error {
  name: "ReadyTimeoutError";
  lastState: string;
  polls: number;
}

// A factory rather than a class: see errors.ts on why subclasses of Error lose their message
// once serialized.
function readyTimeoutError(message: string, lastState: string, polls: number): ReadyTimeoutError {
  return Object.assign(new Error(message), {
    name: "ReadyTimeoutError" as const,
    lastState,
    polls,
  });
}

export interface WaitSpec<T> {
  /** Human name, e.g. `database acme/ara-prod`. */
  what: string;
  /** What "done" means, e.g. `ready` or `ready and not resizing`. */
  goal: string;
  poll: () => Promise<T>;
  isDone: (value: T) => boolean;
  /** Short description of the current state for the timeout message. */
  stateOf: (value: T) => string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls immediately, then every `intervalMs`, until `isDone`. Bounded both by time and by a
 * poll count derived from it, so a stalled clock cannot make it loop forever.
 */
export async function waitFor<T>(spec: WaitSpec<T>, settings: PollSettings): Promise<T> {
  const interval = Math.max(1, settings.intervalMs);
  const maxPolls = Math.floor(settings.timeoutMs / interval) + 1;
  const started = Date.now();
  let last = "unknown";
  for (let polls = 1; polls <= maxPolls; polls++) {
    const value = await spec.poll();
    if (spec.isDone(value)) return value;
    last = spec.stateOf(value);
    if (Date.now() - started + interval > settings.timeoutMs) {
      return fail(spec, settings, last, polls);
    }
    await sleep(interval);
  }
  return fail(spec, settings, last, maxPolls);
}

function fail<T>(spec: WaitSpec<T>, settings: PollSettings, last: string, polls: number): never {
  const seconds = Math.round(settings.timeoutMs / 100) / 10;
  throw readyTimeoutError(
    `Timed out after ${seconds}s waiting for PlanetScale ${spec.what} to become ${spec.goal}` +
      ` (last state: ${last}; ${polls} checks). It still exists in PlanetScale: run \`pulumi up\`` +
      ` again to resume waiting, or check it in the PlanetScale dashboard.`,
    last,
    polls,
  );
}
