/**
 * `npm run release [-- --out DIR] [--plugin-download-url URL] [--platforms linux-amd64,...] [--no-packages]`:
 * writes the release into DIR (default ./release/). See docs/release.md.
 */
import path from "node:path";
import { buildRelease } from "./release";
import { targetByName } from "./targets";

const usage = "usage: npm run release -- [--out DIR] [--plugin-download-url URL] [--platforms linux-amd64,darwin-arm64,...] [--no-packages]";

async function main(argv: string[]): Promise<void> {
  const repoRoot = path.resolve(__dirname, "../../..");
  let out = path.join(repoRoot, "release");
  let pluginDownloadURL: string | undefined;
  let platforms;
  let packages = true;
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${argv[i - 1]} needs a value; ${usage}`);
      return v;
    };
    switch (argv[i]) {
      case "--out": out = path.resolve(value()); break;
      case "--plugin-download-url": pluginDownloadURL = value(); break;
      case "--platforms": platforms = value().split(",").map(targetByName); break;
      case "--no-packages": packages = false; break;
      default: throw new Error(`unknown argument ${argv[i]}; ${usage}`);
    }
  }
  const started = Date.now();
  const release = await buildRelease({ repoRoot, out, pluginDownloadURL, platforms, packages, log: (l) => process.stderr.write(`release: ${l}\n`) });
  process.stderr.write(`release: ${release.files.length} files in ${out} (${((Date.now() - started) / 1000).toFixed(1)} s), pluginDownloadURL ${release.pluginDownloadURL}\n`);
  for (const f of release.files) process.stdout.write(`${path.join(out, f)}\n`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`release: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
