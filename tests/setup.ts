import * as path from "node:path";
import { createRequire } from "node:module";

// Register ts-node the way Pulumi's Node.js host does, so `require("infra/index.ts")` in the
// engine compiles the program with the project's tsconfig, not with vite's transform.
const root = path.resolve(__dirname, "..");
createRequire(__filename)(path.join(root, "offline", "register-ts.js")).registerLikePulumi(root);
