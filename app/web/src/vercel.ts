import { getRequestListener } from "@hono/node-server";
import { loadConfig } from "./config";
import { createRuntime } from "./runtime";

// Vercel Node.js function entry (.vercel/output/functions/api.func/index.mjs). The runtime is
// created once per instance and reused across invocations; migrations run on first use.
const runtime = createRuntime(loadConfig(), { platform: "vercel" });

export default getRequestListener(runtime.app.fetch);
