/**
 * `pulumi-seam-acs/provider`: the entry point the serialized provider loads at run time.
 *
 * Pulumi never serializes this module; the object stored in state (serialized-provider.ts) only
 * requires it by package name. So `delete` and `read` on old state run the code installed now,
 * not the code that wrote the state. Keep this export stable: every state ever written reaches
 * the provider through `require("pulumi-seam-acs/provider").provider`.
 */
// First: refuse an old Node.js before undici loads (see node-version.ts).
import "../supported-node";
import { MembershipProvider } from "./membership-provider";

export const provider = new MembershipProvider(process.env);
