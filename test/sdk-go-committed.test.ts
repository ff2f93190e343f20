/**
 * The Go SDK committed under sdk/go (so `go get` of a release tag works) is what `npm run gen-go-sdk` writes from
 * src/native/schema.json now: this fails when the schema (or the code generator) changed and sdk/go was not
 * regenerated.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { nodeBinDir, repoRoot } from "./support/consumer";

const run = promisify(execFile);

/** Every file under `dir`, relative path → content. */
function tree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

test("sdk/go is what gen-go-sdk writes from the schema, and carries the schema's pluginDownloadURL", async () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-go-sdk-")), "go");
  const env = { ...process.env, PATH: [nodeBinDir, process.env.PATH].join(path.delimiter), PULUMI_HOME: path.join(path.dirname(out), ".pulumi-home") };
  await run("bash", [path.join(repoRoot, "scripts/gen-go-sdk.sh"), "--out", out], { cwd: repoRoot, env });
  const fresh = tree(out);
  const committed = tree(path.join(repoRoot, "sdk/go"));
  expect(Object.keys(committed).sort()).toEqual(Object.keys(fresh).sort());
  for (const [file, content] of Object.entries(fresh)) expect([file, committed[file]]).toEqual([file, content]);
  const schema = JSON.parse(fs.readFileSync(path.join(repoRoot, "src/native/schema.json"), "utf8"));
  expect(committed["seam/internal/pulumiUtilities.go"]).toContain(`pulumi.PluginDownloadURL(${JSON.stringify(schema.pluginDownloadURL)})`);
  // The SDK pins the plugin version it was generated for: the schema's, which must be the package's.
  expect(schema.version).toBe(JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8")).version);
  expect(committed["seam/pulumi-plugin.json"]).toContain(`"version": "${schema.version}"`);
  expect(committed["go.mod"]).toMatch(/^module github\.com\/pulumi-seam-acs\/pulumi-seam-acs\/sdk\/go$/m);
  fs.rmSync(path.dirname(out), { recursive: true, force: true });
}, 120_000);
