import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { setOfflinePlan } from "../infra/mode";
import { mockCall, mockResourceState } from "./mock-state";

/** The repository root: the Pulumi project directory. */
export const ROOT = path.resolve(__dirname, "..");
export const PROJECT = "ara";
export const SECRET = "[secret]";

/** One registered resource, as a reviewer or a policy needs to see it. */
export interface CapturedResource {
  urn: string;
  /** The ID the (mock) provider assigned; "" for components. */
  id: string;
  type: string;
  name: string;
  custom: boolean;
  /** URN of the parent, or "" for the root stack. */
  parent: string;
  protect: boolean;
  retainOnDelete: boolean;
  provider: string;
  dependsOn: string[];
  additionalSecretOutputs: string[];
  /** Inputs with every secret replaced by "[secret]" and code blobs by a digest. */
  inputs: Record<string, unknown>;
  /** Dotted paths of inputs that are secret. */
  secretInputs: string[];
  /** Outputs the (mock) provider returned, sanitised like inputs. */
  outputs: Record<string, unknown>;
  /** Dotted paths of outputs that are secret. */
  secretOutputs: string[];
  /** Inputs with secrets unwrapped, for the policy analyzer only. Never printed. */
  props: Record<string, unknown>;
}

export interface ProgramRun {
  project: string;
  stack: string;
  resources: CapturedResource[];
  /** Stack outputs, secrets as "[secret]". */
  outputs: Record<string, unknown>;
  secretOutputs: string[];
}

export interface RunOptions {
  stack: string;
  /** Flattened config as the language host passes it. */
  config: Record<string, string>;
  secretKeys: string[];
  /** The program's entry module; defaults to infra/index.ts, exactly what `pulumi up` loads. */
  entry?: string;
  /** The Pulumi project name (URNs, config namespace); default "ara". `bootstrap/` is another. */
  project?: string;
  /** Mocks answer as in `pulumi preview` (true) or `pulumi up` (false). */
  preview?: boolean;
  /**
   * Run as the offline plan (placeholders and fake credentials accepted). False runs the
   * program exactly as a real engine run would judge its config. Default true.
   */
  offline?: boolean;
}

const SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
const ASSET_SIGS = new Set([
  "c44067f5952c0a294b673a41bacd8c17",
  "0def7320c3a5731c473e5ecbe6d01bc7",
]);

/**
 * The SDK stamps every internal promise with `new Error().stack` (runtime/debuggable.js), about
 * 4,000 of them for prod, and ts-node's source-map-support maps each of those traces through
 * the source maps: about 400 ms of a 2 s plan, spent on text that is printed only when
 * PULUMI_DEBUG_PROMISE_LEAKS is set. Here those bookkeeping traces are left in V8's own
 * unmapped form; every other stack trace (an error a program throws, say) is still mapped, and
 * with PULUMI_DEBUG_PROMISE_LEAKS set nothing changes. Idempotent: installs once per process.
 */
export function skipMappingOfPromiseBookkeeping(): void {
  if (process.env.PULUMI_DEBUG_PROMISE_LEAKS) return;
  const mapped = Error.prepareStackTrace;
  if (!mapped || (mapped as { araSkip?: boolean }).araSkip) return;
  const prepare = (error: Error, callsites: NodeJS.CallSite[]): unknown =>
    callsites[0]?.getFunctionName() === "debuggablePromise"
      ? `${String(error)}\n    at ${callsites.join("\n    at ")}`
      : mapped(error, callsites);
  Error.prepareStackTrace = Object.assign(prepare, { araSkip: true });
}

/**
 * Runs the Pulumi program under mocks and records every registration the way the engine
 * would receive it: type, name, parent, options and inputs, with secrets tracked.
 *
 * The program runs inside `runInPulumiStack`, as Pulumi's Node.js host runs it, so the
 * root `pulumi:pulumi:Stack` resource and stack outputs behave as in a real preview.
 * Mocks stand in only for the cloud providers.
 */
export async function runProgram(options: RunOptions): Promise<ProgramRun> {
  const { stack } = options;
  skipMappingOfPromiseBookkeeping();
  const resources: CapturedResource[] = [];
  let current: { additionalSecretOutputs: string[] } | undefined;

  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const { id, state } = mockResourceState(args.type, args.name, args.inputs);
        // The engine marks additionalSecretOutputs secret; mocks do not, so do it here.
        for (const key of current?.additionalSecretOutputs ?? []) {
          if (state[key] !== undefined) state[key] = pulumi.secret(state[key]);
        }
        return { id: args.custom ? id : undefined, state: args.custom ? state : args.inputs };
      },
      call(args) {
        return mockCall(args.token, args.inputs, ROOT);
      },
    },
    options.project ?? PROJECT,
    stack,
    options.preview ?? true,
  );
  pulumi.runtime.setAllConfig(options.config, options.secretKeys);
  setOfflinePlan(options.offline ?? true);

  const monitor: any = pulumi.runtime.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) => {
    const additionalSecretOutputs: string[] = req.getAdditionalsecretoutputsList();
    // The mock monitor calls newResource synchronously, before its first await.
    current = { additionalSecretOutputs };
    register(req, (err: any, resp: any) => {
      if (!err) {
        const rawInputs = req.getObject()?.toJavaScript() ?? {};
        const rawOutputs = resp.getObject()?.toJavaScript() ?? {};
        const inputs = sanitize(rawInputs);
        const outputs = sanitize(rawOutputs);
        resources.push({
          urn: resp.getUrn(),
          id: resp.getId() ?? "",
          type: req.getType(),
          name: req.getName(),
          custom: req.getCustom(),
          parent: req.getParent(),
          protect: req.getProtect() === true,
          retainOnDelete: req.getRetainondelete() === true,
          provider: req.getProvider(),
          dependsOn: req.getDependenciesList(),
          additionalSecretOutputs,
          inputs: inputs.value as Record<string, unknown>,
          secretInputs: inputs.secrets,
          outputs: outputs.value as Record<string, unknown>,
          secretOutputs: outputs.secrets,
          props: unwrap(rawInputs) as Record<string, unknown>,
        });
      }
      callback(err, resp);
    });
    current = undefined;
  };

  const entry = options.entry ?? path.join(ROOT, "infra", "index.ts");
  forgetProgramModules();
  // runInPulumiStack returns the outputs after massaging, which unwraps secrets; resolve the
  // module's own exports instead so a secret output stays "[secret]".
  // A program that throws (say, on invalid config) must surface as one error, not as the
  // stack resource's unhandled rejections; Pulumi's host reports it the same way.
  let exported: unknown;
  let failure: unknown;
  await pulumi.runtime.runInPulumiStack(async () => {
    try {
      exported = require(entry);
    } catch (err) {
      failure = err;
    }
    return undefined;
  });
  await (pulumi.runtime as any).waitForRPCs();
  if (failure !== undefined) throw failure;

  const stackOutputs = await resolveOutputs(exported);
  return {
    project: options.project ?? PROJECT,
    stack,
    resources,
    outputs: stackOutputs.value,
    secretOutputs: stackOutputs.secrets,
  };
}

/**
 * A program module runs its top level once per process; drop the project's own modules
 * from the require cache so each run evaluates the program afresh (SDKs stay loaded).
 */
function forgetProgramModules(): void {
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(ROOT) && !key.includes(`${path.sep}node_modules${path.sep}`))
      delete require.cache[key];
  }
}

async function resolveOutputs(
  exported: unknown,
): Promise<{ value: Record<string, unknown>; secrets: string[] }> {
  const value: Record<string, unknown> = {};
  const secrets: string[] = [];
  if (exported && typeof exported === "object") {
    for (const [key, v] of Object.entries(exported)) {
      if (pulumi.Output.isInstance(v)) {
        const isSecret = await (v as any).isSecret;
        const resolved = await (v as any).promise(true);
        if (isSecret) secrets.push(key);
        value[key] = isSecret ? SECRET : sanitize(resolved).value;
      } else {
        value[key] = sanitize(v).value;
      }
    }
  }
  return { value, secrets };
}

/** Replaces secrets with "[secret]", resource references with their URN, code with a digest. */
export function sanitize(raw: unknown): { value: unknown; secrets: string[] } {
  const secrets: string[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (v && typeof v === "object") {
      const o = v as Record<string, unknown>;
      if (o[SIG] === SECRET_SIG) {
        secrets.push(at);
        return SECRET;
      }
      if (o[SIG] === RESOURCE_SIG) return String(o.urn ?? "");
      if (typeof o[SIG] === "string" && ASSET_SIGS.has(o[SIG] as string)) return "[asset]";
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(o).sort()) {
        const child = at ? `${at}.${key}` : key;
        // A dynamic provider's serialized code is large and changes with every edit; its
        // digest is what a reviewer needs.
        out[key] = key === "__provider" ? digestCode(o[key]) : walk(o[key], child);
      }
      return out;
    }
    return v;
  };
  return { value: walk(raw, ""), secrets };
}

function digestCode(v: unknown): string {
  const text = typeof v === "string" ? v : JSON.stringify(v);
  return `[dynamic provider code sha256:${createHash("sha256").update(text).digest("hex").slice(0, 12)}]`;
}

function unwrap(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(unwrap);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SIG] === SECRET_SIG) return unwrap(o.value);
    if (o[SIG] === RESOURCE_SIG) return String(o.urn ?? "");
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrap(x)]));
  }
  return v;
}
