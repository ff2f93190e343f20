/**
 * Bundles the plugin's entry (src/native/main.ts) and everything it loads into one CommonJS file, the
 * form Node's single executable applications run (their `require` reaches only Node's built-in modules).
 *
 * Two files are rewritten for the bundle only:
 * - src/native/pulumi-modules.ts loads the gRPC runtime and the protocol stubs through a `createRequire`
 *   rooted at @pulumi/pulumi (so they are the copies @pulumi/pulumi itself uses); a bundler cannot follow
 *   that, so its `fromPulumi("x")` calls become plain `require("x")` resolved from @pulumi/pulumi's directory:
 *   the same modules, found the same way.
 * - src/native/schema.json gets the release's `pluginDownloadURL` when one is given.
 *
 * Nothing of the provider loads `@pulumi/pulumi`'s program SDK (3.5 MB with the TypeScript compiler), only its
 * protocol stubs; the bundle fails if that changes, rather than carrying the SDK and starting half a second later.
 */
import fs from "node:fs";
import path from "node:path";
import type { Plugin } from "esbuild";

export interface BundleOptions {
  /** The repository's root (its node_modules provide the dependencies). */
  readonly repoRoot: string;
  /** Where to write the bundle (one .js file). */
  readonly outfile: string;
  /** The schema the plugin serves (GetSchema), e.g. with the release's pluginDownloadURL. */
  readonly schema: object;
}

/** Writes the bundle; resolves when done, rejects with esbuild's errors. */
export async function bundlePlugin(options: BundleOptions): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const esbuild = require("esbuild") as typeof import("esbuild");
  const pulumiDir = path.dirname(require.resolve("@pulumi/pulumi/package.json", { paths: [options.repoRoot] }));
  const rewrite: Plugin = {
    name: "seam-release",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]native[\\/]pulumi-modules\.ts$/ }, (args) => {
        const source = fs.readFileSync(args.path, "utf8");
        const rewritten = source
          .replace(/^const fromPulumi = createRequire\(.*\);$/m, "")
          .replace(/\bfromPulumi\(/g, "require(");
        if (/fromPulumi|createRequire\(/.test(rewritten.replace(/^import .*$/gm, ""))) {
          throw new Error(`${args.path}: its loading through fromPulumi changed shape; update scripts/release/bundle.ts`);
        }
        return { contents: rewritten, loader: "ts", resolveDir: pulumiDir };
      });
      build.onLoad({ filter: /[\\/]src[\\/]native[\\/]schema\.json$/ }, () => ({ contents: JSON.stringify(options.schema), loader: "json" }));
    },
  };
  const result = await esbuild.build({
    entryPoints: [path.join(options.repoRoot, "src/native/main.ts")],
    outfile: options.outfile,
    bundle: true,
    platform: "node",
    format: "cjs",
    target: "node22",
    minify: true,
    legalComments: "none",
    logLevel: "silent",
    absWorkingDir: options.repoRoot,
    // Module paths as seen from the checkout (node_modules/…), also when node_modules is a link elsewhere: the
    // bundle names them, and equal inputs must give equal bytes.
    preserveSymlinks: true,
    plugins: [rewrite],
    external: ["@pulumi/pulumi"],
  });
  if (fs.readFileSync(options.outfile, "utf8").includes('require("@pulumi/pulumi")')) {
    throw new Error("the plugin's code loads @pulumi/pulumi's program SDK (import it as a type, or from a file the provider does not import)");
  }
  for (const w of result.warnings) process.stderr.write(`bundle: ${w.text}${w.location ? ` (${w.location.file}:${w.location.line})` : ""}\n`);
}
