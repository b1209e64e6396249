import type { IncomingMessage, ServerResponse } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { waitUntil } from "@vercel/functions";
import { loadConfig } from "./config";
import { createRuntime } from "./runtime";

// Vercel Node.js function entry (.vercel/output/functions/api.func/index.mjs). The runtime is
// created once per instance and reused across invocations; migrations run on first use.
const runtime = createRuntime(loadConfig(), { platform: "vercel" });
const listener = getRequestListener(runtime.app.fetch);

// An instance is frozen as soon as its invocation ends, so metrics and spans recorded while
// answering would wait for the next invocation (or be lost with the instance). Each invocation
// therefore flushes them once its response is sent, inside waitUntil, which keeps the instance
// alive for the flush without delaying the response. Concurrent requests share one flush,
// which waits for the last request in flight (at most a second, telemetry/flush.ts); each
// export then gives up after OTEL_EXPORTER_OTLP_TIMEOUT. Outside Vercel (no request context)
// waitUntil is a no-op and the flush simply runs. The log archive's batch goes on the same path when it is due (size or age).
export default function handler(req: IncomingMessage, res: ServerResponse) {
  const { telemetry } = runtime.deps;
  const { logArchive } = runtime;
  if (telemetry.exporting || logArchive) {
    const sent = new Promise<void>((resolve) => res.once("close", resolve));
    waitUntil(
      sent.then(() =>
        Promise.all([telemetry.exporting && telemetry.flush(), logArchive?.flushIfDue()]),
      ),
    );
  }
  return listener(req, res);
}
