import { Hono, type MiddlewareHandler } from "hono";

// The signer's routes, middleware and error handling; src/index.ts is the Worker entry. Kept
// apart so a test can mount a failing route on the real app (test/errors.test.ts).
import type { Env } from "./env";
import { errorResponse, HttpError, httpErrorResponse } from "./errors";
import { APP_LOGS_PATH, handleAppLogs } from "./app-logs";
import { handleDelete, handleDownload, handleHealth, handleObject, handleUpload } from "./handlers";
import { errorEvent, log, reportError, requestIds, scrubText, type RequestIds } from "./observe";

export const app = new Hono<{ Bindings: Env; Variables: { ids: RequestIds } }>();

// One line per request with the caller's request id and trace (the web app sends both), so a
// request can be followed from the app's logs into these. The path only: a signed URL's query
// string is its signature.
app.use("*", async (c, next) => {
  const start = Date.now();
  const ids = requestIds(c.req.raw);
  c.set("ids", ids);
  await next();
  c.res.headers.set("x-request-id", ids.request_id);
  const path = c.req.path.startsWith("/r2/object/") ? "/r2/object/*" : c.req.path;
  log(c.res.status >= 500 ? "error" : "info", "request", {
    ...ids,
    method: c.req.method,
    path,
    status: c.res.status,
    ms: Date.now() - start,
  });
});

function methodNotAllowed(allow: string): MiddlewareHandler {
  return async () =>
    errorResponse(405, "method_not_allowed", `Use ${allow} for this path.`, { allow });
}

// Each known path answers its own method and refuses the others with 405 (not 404), so a
// client using the wrong verb learns which one to use.
app.post("/r2/upload", handleUpload);
app.all("/r2/upload", methodNotAllowed("POST"));
app.get("/r2/download", handleDownload);
app.all("/r2/download", methodNotAllowed("GET"));
app.delete("/r2/delete", handleDelete);
app.all("/r2/delete", methodNotAllowed("DELETE"));
app.get("/r2/health", handleHealth);
app.all("/r2/health", methodNotAllowed("GET"));
// The web app's log batches, into the log archive (where the stack has one).
app.post(APP_LOGS_PATH, handleAppLogs);
app.all(APP_LOGS_PATH, methodNotAllowed("POST"));
// Signed URLs answer every method: the method is part of the signature, so using a URL with
// any method other than the signed one is a 403 like any other change to the request.
app.all("/r2/object/*", handleObject);

app.notFound(() =>
  errorResponse(
    404,
    "not_found",
    "No such endpoint; use POST /r2/upload, GET /r2/download, DELETE /r2/delete, GET /r2/health or POST /r2/logs/app.",
  ),
);

app.onError((err, c) => {
  if (err instanceof HttpError) return httpErrorResponse(err);
  const ids = c.get("ids") ?? requestIds(c.req.raw);
  log("error", "unhandled error", { ...ids, error: scrubText(String(err)) });
  let ctx: ExecutionContext | undefined;
  try {
    ctx = c.executionCtx as ExecutionContext;
  } catch {
    ctx = undefined; // Hono throws when there is no execution context (unit tests)
  }
  reportError(c.env, ctx, errorEvent(err, { method: c.req.method, path: c.req.path }, ids));
  return errorResponse(
    500,
    "internal_error",
    "The signer failed unexpectedly; retry, then check the worker logs.",
  );
});
