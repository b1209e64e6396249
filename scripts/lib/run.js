"use strict";
// The one way every `npm run <command>` starts: TypeScript loads through the ts-node
// registration Pulumi's Node.js host uses (offline/register-ts.js), so a command compiles the
// repository's code exactly as `pulumi up` would, then `<dir>/cli.ts`'s main(argv) runs and its
// result is the exit code.
const path = require("node:path");

const root = path.resolve(__dirname, "..", "..");

/**
 * @param {string} dir the command's folder (its bin.js passes __dirname)
 * @param {{ chdir?: boolean }} [options] chdir: run from the repository root, as Pulumi's host
 *   runs a program from its project directory (the plan and the commands that read the stack
 *   files as the plan does)
 */
module.exports = function runCommand(dir, options = {}) {
  if (options.chdir) process.chdir(root);
  require("../../offline/register-ts").registerLikePulumi(root);
  require(path.join(dir, "cli.ts"))
    .main(process.argv.slice(2))
    .then((code) => {
      process.exitCode = code;
    });
};
