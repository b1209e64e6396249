/** Inputs read defensively: a resource's props are whatever the program passed. */

export function numberProp(v: unknown): number | undefined {
  return typeof v === "number" && Number.isFinite(v) ? v : undefined;
}

export function stringProp(v: unknown): string | undefined {
  return typeof v === "string" && v !== "" ? v : undefined;
}
