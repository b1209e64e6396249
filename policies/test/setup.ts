import { createRequire } from "node:module";
import * as path from "node:path";

// The real program is required through ts-node, registered the way Pulumi's Node.js host
// registers it (the plan does the same), so it compiles with the project's tsconfig.
const root = path.resolve(__dirname, "..", "..");
createRequire(__filename)(path.join(root, "offline", "register-ts.js")).registerLikePulumi(root);
