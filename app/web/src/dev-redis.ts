import net from "node:net";

// DEVELOPMENT ONLY. A tiny in-process server speaking the Redis protocol (RESP2) for the handful
// of commands the app uses, so `npm run dev` works on a machine without redis-server. It keeps
// data in memory, has no persistence, no auth and no eviction. Production always uses a real
// Redis (Upstash); the dev launcher logs loudly when this fallback is in use.

type Reply = string | number | null | Error | Reply[] | { simple: string };

interface Entry {
  value: string;
  expiresAt: number | null;
}

export interface DevRedisServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

export const SUPPORTED_COMMANDS = [
  "PING",
  "ECHO",
  "INFO",
  "SELECT",
  "CLIENT",
  "QUIT",
  "GET",
  "SET",
  "DEL",
  "EXISTS",
  "INCR",
  "EXPIRE",
  "PEXPIRE",
  "TTL",
  "PTTL",
  "MULTI",
  "EXEC",
  "DISCARD",
  "FLUSHALL",
  "DBSIZE",
];

function encode(reply: Reply): string {
  if (reply === null) return "$-1\r\n";
  if (reply instanceof Error) return `-${reply.message}\r\n`;
  if (typeof reply === "number") return `:${reply}\r\n`;
  if (typeof reply === "string") return `$${Buffer.byteLength(reply)}\r\n${reply}\r\n`;
  if (Array.isArray(reply)) return `*${reply.length}\r\n${reply.map(encode).join("")}`;
  return `+${reply.simple}\r\n`;
}

const OK = { simple: "OK" };
const syntax = () => new Error("ERR syntax error");
const wrongArgs = (cmd: string) =>
  new Error(`ERR wrong number of arguments for '${cmd.toLowerCase()}' command`);

// Parses as many complete RESP arrays as the buffer holds; returns them and the bytes consumed.
function parse(buf: Buffer): { commands: string[][]; used: number } {
  const commands: string[][] = [];
  let pos = 0;
  outer: while (pos < buf.length) {
    if (buf[pos] !== 0x2a /* * */) throw new Error("only RESP arrays are supported");
    let eol = buf.indexOf("\r\n", pos);
    if (eol < 0) break;
    const count = Number(buf.toString("latin1", pos + 1, eol));
    let p = eol + 2;
    const args: string[] = [];
    for (let i = 0; i < count; i++) {
      if (p >= buf.length) break outer;
      if (buf[p] !== 0x24 /* $ */) throw new Error("expected a bulk string");
      eol = buf.indexOf("\r\n", p);
      if (eol < 0) break outer;
      const len = Number(buf.toString("latin1", p + 1, eol));
      const start = eol + 2;
      if (start + len + 2 > buf.length) break outer;
      args.push(buf.toString("utf8", start, start + len));
      p = start + len + 2;
    }
    commands.push(args);
    pos = p;
  }
  return { commands, used: pos };
}

export class MemoryStore {
  private data = new Map<string, Entry>();

  private live(key: string): Entry | undefined {
    const e = this.data.get(key);
    if (e && e.expiresAt !== null && e.expiresAt <= Date.now()) {
      this.data.delete(key);
      return undefined;
    }
    return e;
  }

  exec(args: string[]): Reply {
    const [name = "", ...a] = args;
    const cmd = name.toUpperCase();
    switch (cmd) {
      case "PING":
        return a.length ? (a[0] as string) : { simple: "PONG" };
      case "ECHO":
        return a[0] ?? wrongArgs(cmd);
      case "INFO":
        return "# Server\r\nredis_version:7.0.0-dev-fallback\r\nloading:0\r\n";
      case "SELECT":
      case "CLIENT":
        return OK;
      case "FLUSHALL":
        this.data.clear();
        return OK;
      case "DBSIZE":
        return [...this.data.keys()].filter((k) => this.live(k)).length;
      case "GET": {
        if (a.length !== 1) return wrongArgs(cmd);
        return this.live(a[0]!)?.value ?? null;
      }
      case "SET":
        return this.set(a);
      case "DEL":
      case "EXISTS": {
        if (a.length === 0) return wrongArgs(cmd);
        let n = 0;
        for (const k of a) {
          if (this.live(k)) {
            n++;
            if (cmd === "DEL") this.data.delete(k);
          }
        }
        return n;
      }
      case "INCR": {
        if (a.length !== 1) return wrongArgs(cmd);
        const e = this.live(a[0]!);
        const current = e ? Number(e.value) : 0;
        if (!Number.isInteger(current))
          return new Error("ERR value is not an integer or out of range");
        this.data.set(a[0]!, { value: String(current + 1), expiresAt: e?.expiresAt ?? null });
        return current + 1;
      }
      case "EXPIRE":
      case "PEXPIRE": {
        if (a.length !== 2) return wrongArgs(cmd);
        const e = this.live(a[0]!);
        const n = Number(a[1]);
        if (!Number.isInteger(n)) return new Error("ERR value is not an integer or out of range");
        if (!e) return 0;
        e.expiresAt = Date.now() + (cmd === "EXPIRE" ? n * 1000 : n);
        return 1;
      }
      case "TTL":
      case "PTTL": {
        if (a.length !== 1) return wrongArgs(cmd);
        const e = this.live(a[0]!);
        if (!e) return -2;
        if (e.expiresAt === null) return -1;
        const ms = e.expiresAt - Date.now();
        return cmd === "TTL" ? Math.ceil(ms / 1000) : ms;
      }
      default:
        return new Error(
          `ERR unknown command '${name}' (the development Redis fallback supports only ${SUPPORTED_COMMANDS.join(", ")}; install redis-server)`,
        );
    }
  }

  private set(a: string[]): Reply {
    if (a.length < 2) return wrongArgs("SET");
    const [key, value] = a as [string, string];
    let expiresAt: number | null = null;
    let nx = false;
    let xx = false;
    let keepTtl = false;
    let get = false;
    for (let i = 2; i < a.length; i++) {
      const opt = a[i]!.toUpperCase();
      if (opt === "NX") nx = true;
      else if (opt === "XX") xx = true;
      else if (opt === "KEEPTTL") keepTtl = true;
      else if (opt === "GET") get = true;
      else if (["EX", "PX", "EXAT", "PXAT"].includes(opt)) {
        const n = Number(a[++i]);
        if (!Number.isInteger(n) || n <= 0)
          return new Error("ERR invalid expire time in 'set' command");
        expiresAt =
          opt === "EX"
            ? Date.now() + n * 1000
            : opt === "PX"
              ? Date.now() + n
              : opt === "EXAT"
                ? n * 1000
                : n;
      } else return syntax();
    }
    if (nx && xx) return syntax();
    const existing = this.live(key);
    const previous = existing?.value ?? null;
    if ((nx && existing) || (xx && !existing)) return get ? previous : null;
    this.data.set(key, {
      value,
      expiresAt: keepTtl ? (existing?.expiresAt ?? null) : expiresAt,
    });
    return get ? previous : OK;
  }
}

export async function startDevRedis(port = 0, host = "127.0.0.1"): Promise<DevRedisServer> {
  const store = new MemoryStore();
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    let pending = Buffer.alloc(0);
    let queued: string[][] | null = null; // inside MULTI
    socket.on("data", (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      let parsed;
      try {
        parsed = parse(pending);
      } catch (err) {
        socket.end(encode(new Error(`ERR Protocol error: ${(err as Error).message}`)));
        return;
      }
      pending = pending.subarray(parsed.used);
      let out = "";
      for (const args of parsed.commands) {
        const cmd = (args[0] ?? "").toUpperCase();
        if (cmd === "QUIT") {
          socket.end(encode(OK));
          return;
        }
        if (cmd === "MULTI") {
          if (queued) out += encode(new Error("ERR MULTI calls can not be nested"));
          else {
            queued = [];
            out += encode(OK);
          }
        } else if (cmd === "EXEC") {
          if (!queued) out += encode(new Error("ERR EXEC without MULTI"));
          else {
            // Single-threaded event loop: running the queue in one go is atomic.
            out += encode(queued.map((q) => store.exec(q)));
            queued = null;
          }
        } else if (cmd === "DISCARD") {
          out += encode(queued ? OK : new Error("ERR DISCARD without MULTI"));
          queued = null;
        } else if (queued) {
          queued.push(args);
          out += encode({ simple: "QUEUED" });
        } else {
          out += encode(store.exec(args));
        }
      }
      if (out) socket.write(out);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const actual = (server.address() as net.AddressInfo).port;
  return {
    url: `redis://${host}:${actual}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
