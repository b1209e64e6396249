import { z } from "zod";

// Client for the signed-URL worker (app/worker). The contract is fixed: see docs/app.md.

const uploadSchema = z.object({
  key: z.string().min(1),
  url: z.string().url(),
  method: z.literal("PUT"),
  headers: z.record(z.string(), z.string()).default({}),
  expiresAt: z.string().min(1),
});
const downloadSchema = z.object({
  key: z.string().min(1),
  url: z.string().url(),
  method: z.literal("GET"),
  expiresAt: z.string().min(1),
});
export type SignedUpload = z.infer<typeof uploadSchema>;
export type SignedDownload = z.infer<typeof downloadSchema>;

export class SignerError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "SignerError";
  }
}

export class SignerClient {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly timeoutMs = 5000,
  ) {}

  private async call(path: string, init: RequestInit, auth: boolean): Promise<Response> {
    try {
      return await fetch(this.baseUrl + path, {
        ...init,
        headers: {
          ...(init.headers as Record<string, string> | undefined),
          ...(auth ? { authorization: `Bearer ${this.token}` } : {}),
        },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const reason =
        err instanceof Error && err.name === "TimeoutError" ? "timed out" : "unreachable";
      throw new SignerError(`signer ${reason} at ${path}`);
    }
  }

  private async parse<T>(res: Response, schema: z.ZodType<T>, what: string): Promise<T> {
    if (!res.ok) {
      const detail = (await res.json().catch(() => null)) as { error?: unknown } | null;
      const code = typeof detail?.error === "string" ? ` (${detail.error})` : "";
      throw new SignerError(`signer ${what} returned ${res.status}${code}`, res.status);
    }
    const parsed = schema.safeParse(await res.json().catch(() => null));
    if (!parsed.success) throw new SignerError(`signer ${what} returned an unexpected body`);
    return parsed.data;
  }

  async signUpload(input: { contentType: string; contentLength: number; key?: string }) {
    const res = await this.call(
      "/r2/upload",
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(input),
      },
      true,
    );
    return this.parse(res, uploadSchema, "upload");
  }

  async put(
    upload: SignedUpload,
    contentType: string,
    body: Uint8Array<ArrayBuffer>,
  ): Promise<void> {
    let res: Response;
    try {
      // fetch sets Content-Length from the byte array, so the length is exact.
      // Headers, not an object spread: "Content-Type" from the signer and our "content-type"
      // would otherwise be sent as one combined (and so mismatching) value.
      const headers = new Headers(upload.headers);
      headers.set("content-type", contentType);
      res = await fetch(upload.url, {
        method: "PUT",
        headers,
        body,
        signal: AbortSignal.timeout(this.timeoutMs * 2),
      });
    } catch {
      throw new SignerError("upload to the signed URL failed (unreachable or timed out)");
    }
    const detail = (await res.json().catch(() => null)) as { error?: unknown } | null;
    if (!res.ok) {
      const code = typeof detail?.error === "string" ? ` (${detail.error})` : "";
      throw new SignerError(`upload to the signed URL returned ${res.status}${code}`, res.status);
    }
  }

  async signDownload(key: string) {
    const res = await this.call(
      `/r2/download?key=${encodeURIComponent(key)}`,
      { method: "GET" },
      true,
    );
    return this.parse(res, downloadSchema, "download");
  }

  async health(): Promise<boolean> {
    try {
      const res = await fetch(this.baseUrl + "/r2/health", { signal: AbortSignal.timeout(2000) });
      const body = (await res.json().catch(() => null)) as { status?: unknown } | null;
      return res.status === 200 && body?.status === "ok";
    } catch {
      return false;
    }
  }
}
