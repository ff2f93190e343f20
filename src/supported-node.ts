/** Imported first by the package's entry points: an old Node.js fails here, with the versions (see node-version.ts). */
import { assertSupportedNode } from "./node-version";

assertSupportedNode();
