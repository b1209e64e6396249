import contract from "../../app/web/contract.json";

/**
 * The web app's environment contract (app/web/contract.json): every variable the deployed app
 * is given, whether it is a credential, and which tier provides it. The app's own config
 * loader is tested against the same file, so a variable renamed on either side fails a test
 * instead of a deployment.
 */
export const WEB_CONTRACT = contract;

export type WebVariable = keyof typeof contract.variables;

/** The variables `WebApp` generates itself (`"from": "generated"` in the contract). */
export const GENERATED_VARIABLES = ["JWT_SECRET", "DATA_KEY"] as const;
export type GeneratedVariable = (typeof GENERATED_VARIABLES)[number];

/** Variables whose values the other tiers provide: exactly these must be passed. */
export type ProvidedVariable = Exclude<WebVariable, GeneratedVariable>;

/** Whether Vercel must store the variable as sensitive (never shown again). */
export function isSensitive(name: WebVariable): boolean {
  return contract.variables[name].sensitive;
}

/** Whether the app runs without the variable (an integration the stack may turn off). */
export function isOptional(name: WebVariable): boolean {
  const v: Record<string, unknown> = contract.variables[name];
  return v.optional === true;
}

/** The contract's own word on which variables are generated, checked against the type above. */
export function contractGenerated(): string[] {
  return Object.entries(contract.variables)
    .filter(([, v]) => v.from === "generated")
    .map(([k]) => k)
    .sort();
}
