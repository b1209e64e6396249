"use strict";
// Registers ts-node exactly as Pulumi's Node.js language host does
// (@pulumi/pulumi/cmd/run/run.js, CommonJS branch): the same TypeScript and ts-node
// resolution, the project's tsconfig.json, the host's default compiler options overlaid by
// the tsconfig's own, and transpile-only when the tsconfig sets noCheck. A module-format or
// tsconfig mistake that would break `pulumi up` therefore breaks `npm run plan` too.
const fs = require("node:fs");
const path = require("node:path");

function registerLikePulumi(projectDir) {
  const tsutils = require("@pulumi/pulumi/tsutils");
  // semver is @pulumi/pulumi's own dependency: resolve it from there, not from hoisting luck.
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json"));
  const semver = require(require.resolve("semver", { paths: [pulumiDir] }));
  const tsConfigPath = path.join(
    projectDir,
    process.env.PULUMI_NODEJS_TSCONFIG_PATH ?? "tsconfig.json",
  );
  const compilerOptions = tsutils.loadTypeScriptCompilerOptions(tsConfigPath);
  const transpileOnlyEnv = process.env.PULUMI_NODEJS_TRANSPILE_ONLY;
  const transpileOnly = transpileOnlyEnv ? transpileOnlyEnv === "true" : compilerOptions.noCheck;
  const { tsnodeRequire, typescriptRequire } = tsutils.typeScriptRequireStrings();
  const ts = require(typescriptRequire);
  const tsVersion = semver.parse(ts.version);
  const useNodeNext = tsVersion && tsVersion.compare(new semver.SemVer("4.7.0")) >= 0;
  require(tsnodeRequire).register({
    compiler: typescriptRequire,
    transpileOnly,
    project: tsConfigPath,
    skipProject: !fs.existsSync(tsConfigPath),
    compilerOptions: {
      target: "ES2020",
      module: useNodeNext ? "nodenext" : "commonjs",
      moduleResolution: useNodeNext ? "nodenext" : "node",
      sourceMap: "true",
      ...compilerOptions,
    },
  });
}

module.exports = { registerLikePulumi };
