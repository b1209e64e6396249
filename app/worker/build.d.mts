/** Entry points by output name: dist/<name>.js. */
export declare const ENTRIES: Record<"index" | "replicator", string>;
/** Builds both bundles into `outdir` (default dist/) and returns their absolute paths. */
export declare function build(outdir?: string): Promise<Record<"index" | "replicator", string>>;
