/**
 * The package schema the plugin serves from GetSchema: schema.json beside this file (the same
 * file SDKs are generated from), with the version of the installed package, so the SDK, the
 * plugin and `pulumi about` agree on one version.
 */
import schema from "./schema.json";

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const packageVersion: string = require("../../package.json").version;

export function schemaText(): string {
  return JSON.stringify({ ...schema, version: packageVersion });
}
