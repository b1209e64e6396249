/**
 * When telemetry leaves a Vercel instance: on demand, shared between callers, and, after
 * responses, once per round of requests rather than once per request.
 *
 * An instance is frozen once it has no request and no waitUntil promise left, so every
 * invocation hands waitUntil a promise that settles after a flush that started once its
 * response was sent. Flushing at each request's end made every one of N concurrent requests
 * collect and export all metrics and spans: the cost grew with the request rate (about half the
 * throughput at 32 connections), the exporters' concurrency limit refused the surplus (counted
 * as dropped), and a metric reader asked to flush during an export only waited for that export,
 * collected before the caller's request ended. Then each request chained promises of its own
 * onto a shared flush and held them for up to a second: thousands of objects alive long enough
 * to be copied by every young-generation collection. So requests join rounds:
 *
 * - a request joins the open round, or opens one; a round takes new requests for `maxWaitMs`
 *   (ROUND_MS, 1 s, by default);
 * - a round is flushed once all of its requests have ended (at once, for a lone request), so
 *   what they recorded has gone out (or was counted as dropped) before its promise settles;
 * - the requests of a round share its promise and its `end`: joining allocates nothing;
 * - one flush runs at a time; rounds and callers of `flush()` that become ready meanwhile share
 *   the next one.
 *
 * Under steady load a flush thus starts about once per `maxWaitMs`, and a request's promise
 * settles at most two flushes after the slowest request of its round has ended. A slow
 * request (a report being built) holds the promise of the requests that joined its round, not
 * their data: the later rounds' flushes send everything pending.
 */
export interface FlushRound {
  /** Settles after a flush that began once all of the round's requests had ended. Never rejects. */
  done: Promise<void>;
  /** One of the round's requests has ended (its response was sent or its connection closed). */
  end: () => void;
}

export interface FlushScheduler {
  /** A request begins: the round it belongs to. Call the round's `end` once, when it ends. */
  join(): FlushRound;
  /** Settles once a flush that started after this call has ended. Never rejects. */
  flush(): Promise<void>;
}

/** How long a round takes new requests before its flush is due (once its requests have ended). */
export const ROUND_MS = 1000;

interface Round extends FlushRound {
  inFlight: number;
}

/** A promise and the function that settles it. */
function deferred(): { done: Promise<void>; release: () => void } {
  let release!: () => void;
  const done = new Promise<void>((r) => (release = r));
  return { done, release };
}

export function flushScheduler(run: () => Promise<void>, maxWaitMs = ROUND_MS): FlushScheduler {
  let open: Round | undefined;
  let running = false;
  // What the next flush settles: ready rounds and callers of flush().
  let ready: (() => void)[] = [];

  const start = () => {
    if (running || ready.length === 0) return;
    const released = ready;
    ready = [];
    running = true;
    void run()
      .catch(() => undefined)
      .then(() => {
        running = false;
        for (const release of released) release();
        start();
      });
  };

  const openRound = (): Round => {
    const { done, release } = deferred();
    const round: Round = {
      done,
      inFlight: 0,
      end: () => {
        if (round.inFlight === 0) return;
        round.inFlight--;
        if (round.inFlight > 0) return;
        // Nothing of this round in flight: it takes no more requests, and its flush may start.
        if (open === round) open = undefined;
        ready.push(release);
        start();
      },
    };
    setTimeout(() => {
      if (open === round) open = undefined;
    }, maxWaitMs).unref();
    return round;
  };

  return {
    join() {
      open ??= openRound();
      open.inFlight++;
      return open;
    },
    flush() {
      const { done, release } = deferred();
      ready.push(release);
      start();
      return done;
    },
  };
}
