import { expect } from "vitest";

interface ResponseLike {
  status: number;
  headers: { get(name: string): string | null };
  json(): Promise<unknown>;
}

/** Asserts the contract's error shape: the status, JSON, `{ error: code, message }`. */
export async function expectError(res: ResponseLike, status: number, code?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await res.json()) as { error?: unknown; message?: unknown };
  expect(typeof body.error).toBe("string");
  expect(typeof body.message).toBe("string");
  expect((body.message as string).length).toBeGreaterThan(10);
  if (code !== undefined) expect(body.error).toBe(code);
  return body as { error: string; message: string };
}
