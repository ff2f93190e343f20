/**
 * A plugin that cannot start says why in its first line. The Node.js-script form (bin/pulumi-resource-seam) on a
 * Node.js older than engines.node refuses in one line on stderr, before loading anything, and the engine shows
 * that line (not a stack trace). The old Node.js is this Node with its reported version set to 20.20.2 before
 * anything runs (a `--require` preload), as Node 20 reports itself.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./support/consumer";
import { PulumiProject } from "./support/pulumi";

const run = promisify(execFile);
let dir: string;
let preload: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-old-node-"));
  preload = path.join(dir, "node-20.js");
  fs.writeFileSync(preload, 'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.20.2" } });\n');
  // A `node` that is "Node 20", for the engine to find first on PATH.
  fs.mkdirSync(path.join(dir, "bin"));
  fs.writeFileSync(path.join(dir, "bin", "node"), `#!/bin/sh\nexec "${process.execPath}" --require "${preload}" "$@"\n`, { mode: 0o755 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const reason = "pulumi-resource-seam: pulumi-seam-acs needs Node.js >=22.19, but this is Node.js 20.20.2";

test("on an old Node.js the script's first line of output is the reason, with what to do; nothing on stdout", async () => {
  const failed = await run(process.execPath, ["--require", preload, path.join(repoRoot, "bin/pulumi-resource-seam"), "127.0.0.1:1"]).then(
    () => undefined,
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
  expect(failed).toMatchObject({ code: 1, stdout: "" });
  const lines = failed!.stderr.trimEnd().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(reason);
  expect(lines[0]).toContain("pulumi plugin install resource seam");
});

test("under the engine, a YAML program shows that line, and no stack trace", async () => {
  const p = new PulumiProject("old-node", {
    files: {
      "Pulumi.yaml":
        `name: old-node\nruntime: yaml\npackages:\n  seam: ${path.join(repoRoot, "bin")}\nresources:\n` +
        "  m:\n    type: seam:index:AccessGroupMembership\n    properties:\n      acsUserId: a\n      acsAccessGroupId: b\n",
    },
  });
  p.setEnv({ PATH: [process.env.PULUMI_SEAM_ACS_PULUMI_BIN, process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN, path.join(dir, "bin")].join(path.delimiter) });
  await p.init();
  const preview = await p.preview({ allowFailure: true });
  expect(preview.code).not.toBe(0);
  const out = preview.stdout + preview.stderr;
  expect(out).toContain(reason);
  expect(out).not.toMatch(/node:internal|at Object\.<anonymous>|throw error/);
});
