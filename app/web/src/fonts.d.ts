// Font files are imported as their bytes (esbuild's "binary" loader in build.mjs, and the
// matching plugin in vitest.config.ts).
declare module "*.ttf" {
  const bytes: Uint8Array;
  export default bytes;
}
