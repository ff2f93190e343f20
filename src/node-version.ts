/**
 * Refuses to load on a Node.js older than the package's `engines.node` (package.json), with the
 * version found and the version needed. Without it an old Node fails later, deep inside undici
 * (`Cannot read properties of undefined (reading 'bind')` on Node 20), which names neither.
 *
 * Every entry point (the package, `pulumi-seam-acs/provider`, the CLI) imports a guard that calls
 * this first, before anything that loads undici or @pulumi/pulumi (supported-node.ts,
 * commands/supported-node.ts). It uses nothing but `process` and package.json, so it runs on any
 * Node.js.
 */

/** `engines.node` as package.json states it, e.g. `>=22.19`. */
export const requiredNode: string = (require("../package.json") as { engines: { node: string } }).engines.node;

/**
 * Why `version` (e.g. `20.20.2`, as in `process.versions.node`) cannot run this package under
 * `required` (a `>=MAJOR[.MINOR[.PATCH]]` range), or undefined when it can.
 */
export function nodeVersionProblem(version: string, required: string = requiredNode): string | undefined {
  const wanted = /^>=\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(required.trim());
  if (!wanted) return undefined; // a range this check does not read: leave it to npm's engines warning
  const have = version.split(".").map((n) => Number.parseInt(n, 10) || 0);
  const need = wanted.slice(1).map((n) => (n === undefined ? 0 : Number(n)));
  for (let i = 0; i < 3; i++) {
    if (have[i]! > need[i]!) return undefined;
    if (have[i]! < need[i]!) {
      return (
        `pulumi-seam-acs needs Node.js ${required}, but this is Node.js ${version} (${process.execPath}). ` +
        "Put a newer node first on PATH (pulumi runs the first `node` it finds), e.g. with nvm, or `npm install --save-dev node@22` and run pulumi through an npm script."
      );
    }
  }
  return undefined;
}

/** Throws (before anything else of the package loads) when this Node.js is too old. */
export function assertSupportedNode(): void {
  const problem = nodeVersionProblem(process.versions.node);
  if (problem === undefined) return;
  const error = new Error(problem);
  // The place it was thrown says nothing to the reader; the message says everything. The marker
  // is how @pulumi/pulumi recognises its RunError (in any copy of the SDK; `errors.ts`), so a
  // program prints the message alone; @pulumi/pulumi itself must not be loaded here.
  error.stack = `Error: ${problem}`;
  Object.assign(error, { __pulumiRunError: true });
  throw error;
}
