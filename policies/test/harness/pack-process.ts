import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import type { EnforcementLevel } from "@pulumi/policy";
import type { AnalyzerTransport } from "../../evaluate";
import type { ResolvedPolicyConfig } from "../../policy-config";

/**
 * The pack as `pulumi preview --policy-pack policies` runs it: `run-policy-pack` started in the
 * pack directory with the stack's config in PULUMI_CONFIG, driven over gRPC on 127.0.0.1. The
 * client and its messages come from the same @pulumi/pulumi copy the pack uses (the gRPC
 * serializers check `instanceof`).
 */

export const PACK_DIR = path.resolve(__dirname, "..", "..");
const fromPack = createRequire(path.join(PACK_DIR, "package.json"));
const fromPulumi = createRequire(fromPack.resolve("@pulumi/pulumi/package.json"));
const grpc = fromPulumi("@grpc/grpc-js");
const services = fromPulumi("./proto/analyzer_grpc_pb");
export const pb = fromPulumi("./proto/analyzer_pb");
const { Struct } = fromPulumi("google-protobuf/google/protobuf/struct_pb");
const { Empty } = fromPulumi("google-protobuf/google/protobuf/empty_pb");

const LEVEL: Record<EnforcementLevel, number> = {
  advisory: pb.EnforcementLevel.ADVISORY,
  mandatory: pb.EnforcementLevel.MANDATORY,
  disabled: pb.EnforcementLevel.DISABLED,
  remediate: pb.EnforcementLevel.REMEDIATE,
};

export interface PackProcess {
  port: number;
  client: any;
  stderr: () => string;
  stop(): Promise<void>;
}

export async function startPack(
  stack: string,
  config: Record<string, string>,
): Promise<PackProcess> {
  const runner = fromPack.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const child: ChildProcess = spawn(process.execPath, [runner, "127.0.0.1:0", "."], {
    cwd: PACK_DIR,
    env: {
      ...process.env,
      PULUMI_CONFIG: JSON.stringify(config),
      PULUMI_NODEJS_PROJECT: "ara",
      PULUMI_NODEJS_STACK: stack,
      PULUMI_NODEJS_DRY_RUN: "true",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let err = "";
  child.stderr!.on("data", (d) => (err += String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(
      () => reject(new Error(`pack did not print its port in 30 s:\n${err}`)),
      30_000,
    );
    child.stdout!.on("data", (d) => {
      out += String(d);
      const line = out.split("\n")[0]!;
      if (out.includes("\n") && /^\d+$/.test(line.trim())) {
        clearTimeout(timer);
        resolve(Number(line.trim()));
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`pack exited with ${code} before listening:\n${err}`));
    });
  });
  const client = new services.AnalyzerClient(
    `127.0.0.1:${port}`,
    grpc.credentials.createInsecure(),
  );
  return {
    port,
    client,
    stderr: () => err,
    stop: async () => {
      client.close();
      if (child.exitCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill();
        await exited;
      }
    },
  };
}

export function rpc<T = any>(client: any, method: string, request: unknown): Promise<T> {
  return new Promise((resolve, reject) =>
    client[method](request, (err: unknown, resp: T) => (err ? reject(err) : resolve(resp))),
  );
}

export function getAnalyzerInfo(client: any): Promise<any> {
  return rpc(client, "getAnalyzerInfo", new Empty());
}

/** Sends what the CLI sends after resolving `--policy-pack-config` (see policy-config.ts). */
export async function configure(
  client: any,
  resolved: Map<string, ResolvedPolicyConfig>,
): Promise<void> {
  const req = new pb.ConfigureAnalyzerRequest();
  const map = req.getPolicyconfigMap();
  for (const [name, c] of resolved) {
    const pc = new pb.PolicyConfig();
    pc.setEnforcementlevel(LEVEL[c.enforcementLevel]);
    pc.setProperties(Struct.fromJavaScript(c.properties));
    map.set(name, pc);
  }
  await rpc(client, "configure", req);
}

export function grpcTransport(client: any): AnalyzerTransport {
  return {
    analyze: (req) => rpc(client, "analyze", req),
    analyzeStack: (req) => rpc(client, "analyzeStack", req),
    remediate: (req) => rpc(client, "remediate", req),
  };
}
