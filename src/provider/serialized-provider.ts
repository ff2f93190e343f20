/**
 * What Pulumi stores as `__provider` in every resource's state, and runs from there: the engine
 * uses the stored text for `delete` and `read`, even in a `pulumi destroy` without the program.
 *
 * This module's exports object is handed to `pulumi.dynamic.Resource`. Installed under
 * node_modules (as every user has it), the closure serializer stores it as one
 * `require("pulumi-seam-acs/serialized-provider")`; from this package's own checkout it copies
 * these functions instead. Either way nothing is captured but `require` and `process`: no module,
 * no setting, no credential. Each call loads `pulumi-seam-acs/provider` as the program directory
 * resolves it (in the checkout, through the package's self-reference), so state written by any
 * version runs on the code installed now.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { MembershipProvider } from "./membership-provider";

function load(): MembershipProvider {
  const from = require("node:path").join(process.cwd(), "index.js");
  try {
    return require("node:module").createRequire(from)("pulumi-seam-acs/provider").provider;
  } catch (e) {
    // The engine runs this in the project's directory. An Automation API inline program gets a
    // temporary one unless it sets workDir, and nothing is installed there: say what to set.
    const err = e as { code?: string; message?: string };
    if (err?.code !== "MODULE_NOT_FOUND" || !String(err.message).includes("pulumi-seam-acs/provider")) throw e;
    throw new Error(
      `pulumi-seam-acs: the provider runs in ${process.cwd()}, where \`pulumi-seam-acs/provider\` cannot be resolved ` +
        "(pulumi-seam-acs is not installed there or in a folder above it). Run the program from the project that has " +
        "pulumi-seam-acs installed; with the Automation API's inline programs, set `workDir` " +
        "(LocalWorkspace.createOrSelectStack(args, { workDir })) to that project's directory.",
    );
  }
}

type Props = Record<string, unknown>;

export const configure = (req: dynamic.ConfigureRequest) => load().configure(req);
export const check = (olds: Props, news: Props) => load().check(olds, news);
export const diff = (id: string, olds: Props, news: Props) => load().diff(id, olds, news);
export const create = (inputs: Props) => load().create(inputs);
export const read = (id: string, props?: Props) => load().read(id, props);
export const update = (id: string, olds: Props, news: Props) => load().update(id, olds, news);
const remove = (id: string, props: Props) => load().delete(id, props);
export { remove as delete };
