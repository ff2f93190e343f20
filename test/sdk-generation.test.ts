/**
 * `npm run gen-sdk` (scripts/gen-sdk.sh) generates the native `seam` provider's SDKs from src/native/schema.json
 * with the pinned CLI's `pulumi package gen-sdk`, and each generated SDK is checked as far as this machine can:
 * TypeScript type-checks against the repository's @pulumi/pulumi, Go builds and vets against the pinned Go SDK
 * (with a program using its resources and an explicit provider), Python byte-compiles (the release's wheel runs
 * programs end to end in test/native-python-engine.test.ts). C# cannot be generated without the official .NET
 * host: the script says so instead of writing nothing.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { nodeBinDir, repoRoot } from "./support/consumer";

const run = promisify(execFile);

let out: string;
let env: NodeJS.ProcessEnv;

/** Runs a command with the test environment; resolves with its exit code and output, never rejects. */
async function sh(cmd: string, args: string[], cwd: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(cmd, args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, output: stdout + stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === "number" ? err.code : 1, output: `${err.stdout ?? ""}${err.stderr ?? ""}` };
  }
}

beforeAll(async () => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-sdk-"));
  env = {
    ...process.env,
    PATH: [nodeBinDir, process.env.PATH].join(path.delimiter),
    PULUMI_HOME: path.join(out, ".pulumi-home"),
  };
  const gen = await sh("bash", [path.join(repoRoot, "scripts/gen-sdk.sh"), "--out", out, "nodejs", "python", "go"], repoRoot);
  if (gen.code !== 0) throw new Error(`gen-sdk failed:\n${gen.output}`);
}, 300_000);

test("the TypeScript SDK type-checks against @pulumi/pulumi", async () => {
  const dir = path.join(out, "nodejs");
  expect(fs.readFileSync(path.join(dir, "accessGroupRoster.ts"), "utf8")).toContain('"seam:index:AccessGroupRoster"');
  // The SDK resolves @pulumi/pulumi and @types/node as a user's project would: from a node_modules beside it.
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dir, "node_modules"));
  const tsc = await sh(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json", "--noEmit"], dir);
  expect(tsc).toEqual({ code: 0, output: "" });
}, 120_000);

test("the Go SDK and the Go example (a default and an explicit provider, both resources) build and vet against the pinned Go SDK", async () => {
  const dir = path.join(out, "go");
  const fixture = path.join(repoRoot, "test/fixtures/go-program");
  // gen-sdk writes packages without a go.mod; the module is the schema's importBasePath less its last element.
  const goMod = fs.readFileSync(path.join(fixture, "go.mod"), "utf8").replace(/^module .*$/m, "module github.com/pulumi-seam-acs/pulumi-seam-acs/sdk/go");
  fs.writeFileSync(path.join(dir, "go.mod"), goMod);
  fs.copyFileSync(path.join(fixture, "go.sum"), path.join(dir, "go.sum"));
  fs.mkdirSync(path.join(dir, "example"));
  // The repository's Go example (examples/go), as a user copies it next to the SDK it imports.
  fs.copyFileSync(path.join(repoRoot, "examples/go/main.go"), path.join(dir, "example/main.go"));
  const build = await sh("go", ["build", "-mod=mod", "./..."], dir);
  expect(build).toEqual({ code: 0, output: "" });
  const vet = await sh("go", ["vet", "-mod=mod", "./..."], dir);
  expect(vet).toEqual({ code: 0, output: "" });
}, 600_000);

test("the Python SDK and the Python example byte-compile, and the SDK marks the provider's credentials secret", async () => {
  const dir = path.join(out, "python");
  const provider = fs.readFileSync(path.join(dir, "pulumi_seam/provider.py"), "utf8");
  expect(provider).toContain('__props__.__dict__["api_key"] = None if api_key is None else pulumi.Output.secret(api_key)');
  // The repository's Python example (examples/python) beside the SDK it imports.
  fs.copyFileSync(path.join(repoRoot, "examples/python/__main__.py"), path.join(dir, "__main__.py"));
  const compile = await sh("python3", ["-m", "compileall", "-q", "pulumi_seam", "__main__.py"], dir);
  expect(compile).toEqual({ code: 0, output: "" });
  expect(fs.existsSync(path.join(dir, "pulumi_seam/__pycache__"))).toBe(true);
  // Byte-compiling checks syntax only: the names the example uses must be the SDK's.
  const sdk = fs.readFileSync(path.join(dir, "pulumi_seam/access_group_roster.py"), "utf8");
  for (const name of ["acs_access_group_id", "acs_user_ids"]) expect(sdk).toContain(`${name}: pulumi.Input`);
  expect(fs.readFileSync(path.join(dir, "pulumi_seam/__init__.py"), "utf8")).toMatch(/AccessGroupRoster|access_group_roster/);
}, 120_000);

test("C#: without a .NET language host the script refuses clearly rather than writing nothing", async () => {
  const gen = await sh("bash", [path.join(repoRoot, "scripts/gen-sdk.sh"), "--out", out, "dotnet"], repoRoot);
  expect(gen.code).not.toBe(0);
  expect(gen.output).toContain("no pulumi-language-dotnet on PATH");
  expect(fs.existsSync(path.join(out, "dotnet"))).toBe(false);
});
