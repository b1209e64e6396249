// Shared setup for the PlanetScale provider contract tests: a spec-driven fake API on
// 127.0.0.1 and providers pointed at it with short polling and retry delays.
import { afterEach, beforeEach, expect } from "vitest";
import {
  createPlanetScaleProviders,
  type PlanetScaleProviders,
  type ProviderOptions,
} from "../../providers/planetscale/providers";
import { FakePlanetScale, type FakeOptions } from "../fixtures/planetscale/fake-api";

export interface Env {
  fake: FakePlanetScale;
  providers: PlanetScaleProviders;
  /** Credentials the fake accepts. */
  creds: { serviceTokenId: string; serviceToken: string };
}

export const FAST: ProviderOptions = {
  pollIntervalMs: 2,
  readyTimeoutMs: 2_000,
  maxAttempts: 3,
  retryBaseMs: 1,
  requestTimeoutMs: 5_000,
};

/**
 * Starts a fresh fake before each test and stops it after; fails the test if the provider sent
 * anything the spec does not allow (or the fake answered outside the spec).
 */
export function useFakePlanetScale(
  fakeOptions: FakeOptions = {},
  providerOptions: ProviderOptions = {},
): Env {
  const env = {} as Env;
  beforeEach(async () => {
    env.fake = await FakePlanetScale.start(fakeOptions);
    env.providers = createPlanetScaleProviders({
      ...FAST,
      ...providerOptions,
      baseUrl: env.fake.baseUrl,
    });
    env.creds = { serviceTokenId: env.fake.tokenId, serviceToken: env.fake.token };
  });
  afterEach(async () => {
    const violations = env.fake.violations;
    await env.fake.close();
    expect(violations, "requests/responses outside the PlanetScale spec").toEqual([]);
  });
  return env;
}

export function databaseInputs(env: Env, overrides: Record<string, unknown> = {}) {
  return {
    ...env.creds,
    organization: "acme",
    name: "ara-dev",
    region: "us-east",
    clusterSize: "PS_10_AWS_ARM",
    replicas: 0,
    deletionProtected: false,
    ...overrides,
  };
}

/** A nightly backup policy of the production branch, kept 7 days: the tests' usual policy. */
export const NIGHTLY_POLICY = {
  name: "nightly",
  target: "production",
  retentionValue: 7,
  retentionUnit: "day",
  frequencyValue: 1,
  frequencyUnit: "day",
} as const;

/** The whole result `diff` gives for a change that replaces `replaces` (none: an update). */
export function changed(replaces: string[], deleteBeforeReplace = false) {
  return { changes: true, replaces, deleteBeforeReplace };
}

/** Runs check like the engine does and fails on check failures. */
export async function checked(
  provider: PlanetScaleProviders[keyof PlanetScaleProviders],
  news: Record<string, unknown>,
): Promise<Record<string, any>> {
  const result = await provider.check!({}, news);
  expect(result.failures ?? []).toEqual([]);
  return result.inputs as Record<string, any>;
}

/** Creates a database through the provider and returns its id and outputs. */
export async function createDatabase(env: Env, overrides: Record<string, unknown> = {}) {
  const inputs = await checked(env.providers.database, databaseInputs(env, overrides));
  const result = await env.providers.database.create(inputs);
  return { inputs, id: result.id, outs: result.outs as Record<string, any> };
}

/** The error a promise rejects with (fails if it resolves). */
export async function rejection(promise: Promise<unknown>): Promise<any> {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  throw new Error("expected the call to fail, but it succeeded");
}
