import { createHash, randomBytes, randomUUID } from "node:crypto";
import { SignJWT, jwtVerify } from "jose";
import type { Redis } from "./redis";

// Guest sessions. The access token is a short-lived HS256 JWT whose subject is the session id.
// Refresh tokens are 32 random bytes, stored only as SHA-256 hashes; each refresh rotates the
// token, and presenting a rotated (used) token again revokes the whole session, because it
// means two parties hold the same token.

const ISSUER = "ara-web";
const AUDIENCE = "ara-web";
export const KEY_PREFIX = "ara:";
export const sessionKey = (sid: string) => `${KEY_PREFIX}sess:${sid}`;
const refreshKey = (hash: string) => `${KEY_PREFIX}rt:${hash}`;

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export type RefreshOutcome =
  | { ok: true; pair: TokenPair; sessionId: string }
  | { ok: false; reason: "invalid" | "reused" | "revoked"; sessionId?: string };

export const hashToken = (token: string) => createHash("sha256").update(token).digest("hex");

const REFRESH_FORMAT = /^[A-Za-z0-9_-]{43}$/;

export class SessionService {
  // Imported once: handing jose raw bytes makes it import a WebCrypto key on every call,
  // which was the largest single cost of an authenticated request.
  private readonly key: Promise<CryptoKey>;

  constructor(
    private readonly redis: Redis,
    secret: string,
    private readonly accessTtl: number,
    private readonly refreshTtl: number,
  ) {
    this.key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
  }

  private async issue(sid: string): Promise<{ pair: TokenPair; hash: string }> {
    const refreshToken = randomBytes(32).toString("base64url");
    const accessToken = await new SignJWT({})
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .setSubject(sid)
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${this.accessTtl}s`)
      .sign(await this.key);
    return {
      pair: { accessToken, refreshToken, expiresIn: this.accessTtl },
      hash: hashToken(refreshToken),
    };
  }

  async create(): Promise<TokenPair> {
    return (await this.createWithId()).pair;
  }

  /** A new session and its id (session recovery re-points audits to it). */
  async createWithId(): Promise<{ pair: TokenPair; sessionId: string }> {
    const sid = randomUUID();
    const { pair, hash } = await this.issue(sid);
    await this.redis
      .multi()
      .set(sessionKey(sid), "1", "EX", this.refreshTtl)
      .set(refreshKey(hash), `active:${sid}`, "EX", this.refreshTtl)
      .exec();
    return { pair, sessionId: sid };
  }

  async refresh(refreshToken: unknown): Promise<RefreshOutcome> {
    if (typeof refreshToken !== "string" || !REFRESH_FORMAT.test(refreshToken)) {
      return { ok: false, reason: "invalid" };
    }
    const key = refreshKey(hashToken(refreshToken));
    const current = await this.redis.get(key);
    if (current === null) return { ok: false, reason: "invalid" };
    const sid = current.slice(current.indexOf(":") + 1);
    // SET ... XX GET swaps the state atomically: of two concurrent refreshes with the same token
    // exactly one sees "active". A used token is kept for a full TTL so reuse is still detected.
    const previous = await this.redis.set(key, `used:${sid}`, "EX", this.refreshTtl, "XX", "GET");
    if (previous === null) return { ok: false, reason: "invalid" };
    if (previous.startsWith("used:")) {
      await this.redis.del(sessionKey(sid));
      return { ok: false, reason: "reused", sessionId: sid };
    }
    if ((await this.redis.exists(sessionKey(sid))) === 0) {
      return { ok: false, reason: "revoked", sessionId: sid };
    }
    const { pair, hash } = await this.issue(sid);
    await this.redis
      .multi()
      .set(refreshKey(hash), `active:${sid}`, "EX", this.refreshTtl)
      .expire(sessionKey(sid), this.refreshTtl)
      .exec();
    return { ok: true, pair, sessionId: sid };
  }

  // A client reuses its access token for every request until it expires, and WebCrypto's HMAC
  // verify runs as an async job costing ~0.1 ms. Tokens jose has verified are remembered (by
  // their exact text) until their own expiry; revocation is still checked in Redis per request.
  private readonly verified = new Map<string, { sid: string; exp: number }>();
  private static readonly VERIFIED_MAX = 10_000;

  // Returns the session id of a valid access token, or null.
  async verifyAccess(token: string): Promise<string | null> {
    const now = Math.floor(Date.now() / 1000);
    const hit = this.verified.get(token);
    if (hit) {
      if (hit.exp > now) return hit.sid;
      this.verified.delete(token);
      return null;
    }
    try {
      const { payload } = await jwtVerify(token, await this.key, {
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ["HS256"],
      });
      if (typeof payload.sub !== "string" || typeof payload.exp !== "number") return null;
      if (this.verified.size >= SessionService.VERIFIED_MAX) {
        // Maps iterate in insertion order: drop the oldest entry.
        this.verified.delete(this.verified.keys().next().value as string);
      }
      this.verified.set(token, { sid: payload.sub, exp: payload.exp });
      return payload.sub;
    } catch {
      return null;
    }
  }

  async isActive(sid: string): Promise<boolean> {
    return (await this.redis.exists(sessionKey(sid))) === 1;
  }
}
