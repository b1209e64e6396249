import { Hono, type MiddlewareHandler } from "hono";
import type { Env } from "./env";
import { errorResponse, HttpError, httpErrorResponse } from "./errors";
import { handleDelete, handleDownload, handleHealth, handleObject, handleUpload } from "./handlers";

const app = new Hono<{ Bindings: Env }>();

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
// Signed URLs answer every method: the method is part of the signature, so using a URL with
// any method other than the signed one is a 403 like any other change to the request.
app.all("/r2/object/*", handleObject);

app.notFound(() =>
  errorResponse(
    404,
    "not_found",
    "No such endpoint; use POST /r2/upload, GET /r2/download, DELETE /r2/delete or GET /r2/health.",
  ),
);

app.onError((err) => {
  if (err instanceof HttpError) return httpErrorResponse(err);
  console.error(JSON.stringify({ level: "error", msg: "unhandled error", error: String(err) }));
  return errorResponse(
    500,
    "internal_error",
    "The signer failed unexpectedly; retry, then check the worker logs.",
  );
});

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>;
