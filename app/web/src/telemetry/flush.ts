/**
 * When the exporters are flushed: on demand, but shared between callers and deferred while
 * requests are being served.
 *
 * The Vercel function asks for a flush after every response, because an instance is frozen
 * once it has no request and no waitUntil promise left. Flushing at each request's end made
 * every one of N concurrent requests collect and export all metrics and spans: the cost grew
 * with the request rate (about half the throughput at 32 connections), the exporters'
 * concurrency limit refused the surplus (counted as dropped), and a metric reader asked to
 * flush during an export only waited for that export, collected before the caller's request
 * ended. Only the end of the last request in flight needs a flush, so:
 *
 * - a caller's promise settles after a flush that started after the call, so what its request
 *   recorded has gone out (or was counted as dropped) before the instance can be frozen;
 * - callers share one flush; one runs at a time;
 * - while requests are in flight the flush waits for the last of them, at most `maxWaitMs`
 *   after the first caller (so under steady load spans and metrics still leave about once per
 *   `maxWaitMs`, and no caller waits longer than that plus two flushes);
 * - with nothing in flight (a lone request, a test, shutdown) it starts at once.
 */
export interface FlushScheduler {
  /** A request is being served: flushes wait for it (see above). */
  requestStarted(): void;
  requestEnded(): void;
  /** Settles once a flush that started after this call has ended. Never rejects. */
  flush(): Promise<void>;
}

export function flushScheduler(run: () => Promise<void>, maxWaitMs: number): FlushScheduler {
  let inFlight = 0;
  let running = false;
  let pending: { done: Promise<void>; release: () => void; due: boolean } | undefined;
  let dueTimer: NodeJS.Timeout | undefined;

  const maybeStart = () => {
    if (!pending || running || (inFlight > 0 && !pending.due)) return;
    const { release } = pending;
    pending = undefined;
    clearTimeout(dueTimer);
    running = true;
    void run()
      .catch(() => undefined)
      .then(() => {
        running = false;
        release();
        maybeStart();
      });
  };

  return {
    requestStarted() {
      inFlight++;
    },
    requestEnded() {
      inFlight = Math.max(0, inFlight - 1);
      if (inFlight === 0) maybeStart();
    },
    flush() {
      if (!pending) {
        let release!: () => void;
        const done = new Promise<void>((r) => (release = r));
        const next = { done, release, due: false };
        pending = next;
        dueTimer = setTimeout(() => {
          next.due = true;
          maybeStart();
        }, maxWaitMs);
        dueTimer.unref();
      }
      const { done } = pending;
      maybeStart();
      return done;
    },
  };
}
