// The typed Resource classes under Pulumi mocks: type tokens, secret credentials, declared
// outputs, and a serialized provider attached to every registration.
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import {
  BackupPolicy,
  Branch,
  Database,
  PLANETSCALE_SECRET_OUTPUTS,
  PLANETSCALE_TYPE_TOKENS,
  Role,
} from "../../providers/planetscale";
import { NIGHTLY_POLICY } from "./helpers";

interface Registration {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  additionalSecretOutputs: string[];
}

const registrations: Registration[] = [];

function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        // What the provider would answer: inputs echoed plus computed outputs.
        const computed: Record<string, unknown> | undefined = (
          {
            [PLANETSCALE_TYPE_TOKENS.database]: {
              databaseId: "db1",
              state: "ready",
              kind: "postgresql",
            },
            [PLANETSCALE_TYPE_TOKENS.role]: {
              roleId: "r1",
              username: "app.x",
              password: "p4ss",
              host: "us-east.pg.psdb.cloud",
              port: 5432,
              databaseName: "postgres",
            },
          } as Record<string, Record<string, unknown>>
        )[args.type];
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computed } };
      },
      call: () => ({}),
    },
    "ara",
    "test",
    false,
  );
  const monitor: any = pulumi.runtime.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: any, resp: any) => void) =>
    register(req, (err: any, resp: any) => {
      if (!err) {
        registrations.push({
          type: req.getType(),
          name: req.getName(),
          inputs: req.getObject().toJavaScript(),
          additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        });
      }
      callback(err, resp);
    });
});

const creds = { serviceTokenId: "tokid", serviceToken: "tok-value" };
const scope = { ...creds, organization: "acme", database: "ara-dev" };

describe("PlanetScale resource classes", () => {
  it("register with their type tokens, secret credentials and a serialized provider", async () => {
    const db = new Database("db", {
      ...creds,
      organization: "acme",
      name: "ara-dev",
      region: "us-east",
      clusterSize: "PS_10_AWS_ARM",
      replicas: 0,
    });
    const branch = new Branch("dev", { ...scope, name: "dev", clusterSize: "PS_5_AWS_X86" });
    const role = new Role("app", {
      ...scope,
      branch: "main",
      inheritedRoles: ["pg_read_all_data"],
    });
    const policy = new BackupPolicy("nightly", { ...scope, ...NIGHTLY_POLICY });
    await Promise.all([db.urn, branch.urn, role.urn, policy.urn].map(valueOf));
    await (pulumi.runtime as any).waitForRPCs?.();

    const byType = new Map(registrations.map((r) => [r.type, r]));
    for (const [kind, token] of Object.entries(PLANETSCALE_TYPE_TOKENS)) {
      const reg = byType.get(token);
      expect(reg, token).toBeDefined();
      expect(reg!.additionalSecretOutputs.sort()).toEqual(
        [...PLANETSCALE_SECRET_OUTPUTS[kind as keyof typeof PLANETSCALE_SECRET_OUTPUTS]].sort(),
      );
      // Credentials travel as secrets even though plain strings were passed in.
      for (const key of ["serviceTokenId", "serviceToken"]) {
        expect(pulumi.runtime.isRpcSecret(reg!.inputs[key]), `${token} ${key}`).toBe(true);
      }
      const provider = reg!.inputs["__provider"];
      const text = pulumi.runtime.isRpcSecret(provider)
        ? pulumi.runtime.unwrapRpcSecret(provider)
        : provider;
      expect(text, token).toMatch(/^exports\.handler = __f0;/);
      expect(String(text)).not.toContain("tok-value");
    }
    expect(byType.get(PLANETSCALE_TYPE_TOKENS.role)!.additionalSecretOutputs).toEqual(
      expect.arrayContaining(["password", "connectionString"]),
    );

    // Declared outputs resolve from the provider's state.
    expect(await valueOf(db.databaseId)).toBe("db1");
    expect(await valueOf(role.host)).toBe("us-east.pg.psdb.cloud");
    expect(await valueOf(role.port)).toBe(5432);
    expect(await valueOf(branch.clusterSize)).toBe("PS_5_AWS_X86");
    expect(await valueOf(policy.retentionValue)).toBe(7);
  });

  it("keeps caller-supplied additionalSecretOutputs", async () => {
    const before = registrations.length;
    const b = new Branch(
      "extra",
      { ...scope, name: "extra" },
      { additionalSecretOutputs: ["htmlUrl"] },
    );
    await valueOf(b.urn);
    const reg = registrations.slice(before).find((r) => r.name === "extra")!;
    expect(reg.additionalSecretOutputs.sort()).toEqual(
      ["htmlUrl", "serviceToken", "serviceTokenId"].sort(),
    );
  });
});
