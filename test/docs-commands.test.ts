/**
 * Every fenced ```sh block of README.md and docs/*.md, run with the real CLI (the rules are in
 * docs/development.md, "Commands in the docs"), so the docs cannot drift from the product.
 * Whatever pages exist are read at run time: a page added later is run the same way.
 */
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { nodeBinDir, repoRoot } from "./support/consumer";
import { testRelease } from "./support/release";
import { ReleaseServer, serveRelease } from "./support/release-server";

interface Block {
  readonly line: number;
  readonly code: string;
}

/** The ```sh blocks of a Markdown file, with the line each starts on. */
export function shBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    const body: string[] = [];
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trimStart().startsWith(fence)) body.push(lines[j++]!);
    if (open[3] === "sh") blocks.push({ line: i + 1, code: body.join("\n") });
    i = j;
  }
  return blocks;
}

const pages = ["README.md", ...fs.readdirSync(path.join(repoRoot, "docs")).filter((f) => f.endsWith(".md")).sort().map((f) => `docs/${f}`)]
  .map((file) => ({ file, blocks: shBlocks(fs.readFileSync(path.join(repoRoot, file), "utf8")) }))
  .filter((p) => p.blocks.length > 0);

test("the extractor finds sh blocks only (console and text are shown, not run), with their lines", () => {
  const md = "a\n```sh\necho one\n```\n```console\nnpm ci\n```\n````sh\necho ```\n````\n```text\nout\n```\n";
  expect(shBlocks(md)).toEqual([
    { line: 2, code: "echo one" },
    { line: 8, code: "echo ```" },
  ]);
  expect(pages.map((p) => p.file)).toContain("README.md");
});

test("the README names the commands a newcomer runs from a clone, the tests' included, and CI runs that same test command", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  const tryIt = readme.slice(readme.indexOf("## Try it"), readme.indexOf("\n## ", readme.indexOf("## Try it") + 1));
  for (const command of ["npm ci", "npm run demo", "npm test"]) expect(tryIt).toMatch(new RegExp(`^${command}$`, "m"));
  expect(fs.readFileSync(path.join(repoRoot, ".ci/run"), "utf8")).toMatch(/^npm test\b/m);
});

const devServer = /^\s*npx pulumi-seam-acs dev-server\b/;

describe.each(pages)("$file", ({ file, blocks }) => {
  test(`its ${blocks.length} sh blocks run and succeed, in order`, async () => {
    const consumer = process.env.SEAM_ACS_TEST_CONSUMER!;
    const dir = fs.mkdtempSync(path.join(consumer, "docs-"));
    const home = fs.mkdtempSync(path.join(os.tmpdir(), "docs-home-"));
    fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "docs-project", private: true }));
    const envFile = path.join(home, "env.sh");
    // What a reader's shell has (this machine's network and npm settings), with the CLI and its
    // language hosts (YAML's, as an official Pulumi install has it), Node 22 and the package's
    // command on PATH, and nothing of Seam or of a Pulumi backend.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(SEAM_|PULUMI_|JEST_|npm_)/i.test(k)));
    const userNpmrc = path.join(os.homedir(), ".npmrc");
    const env: NodeJS.ProcessEnv = {
      ...inherited,
      ...(fs.existsSync(userNpmrc) ? { npm_config_userconfig: userNpmrc } : {}),
      PATH: [process.env.PULUMI_SEAM_ACS_PULUMI_BIN, process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN, nodeBinDir, path.join(consumer, "node_modules", ".bin"), process.env.PATH].join(path.delimiter),
      HOME: home,
      PULUMI_HOME: path.join(home, ".pulumi-home"),
      PULUMI_SKIP_UPDATE_CHECK: "true",
      PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
      // The reader's npm cache (HOME is a throwaway here), used offline first.
      npm_config_cache: path.join(os.homedir(), ".npm"),
      npm_config_prefer_offline: "true",
    };
    fs.writeFileSync(envFile, "");
    const background: ChildProcess[] = [];
    // A page whose programs name the release's pluginDownloadURL: the engine downloads the plugin
    // from the release the tests build (test/support/release.ts), served on loopback in its place,
    // as a mirror would be (PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES).
    let server: ReleaseServer | undefined;
    if (blocks.some((b) => b.code.includes(releaseLocation))) {
      server = await serveRelease((await testRelease()).dir);
      env.PULUMI_PLUGIN_DOWNLOAD_URL_OVERRIDES = `^${releaseLocation.replace(/[.]/g, "\\.")}$=${server.url}`;
    }
    try {
      for (const block of blocks) {
        const where = `${file}:${block.line}`;
        if (devServer.test(block.code)) {
          background.push(await startInBackground(block.code, dir, env, where));
          continue;
        }
        // Each block in a fresh bash -e; cd and exports carry over to the next block through envFile.
        const script = `set -e -o pipefail\nsource ${JSON.stringify(envFile)}\n${block.code}\n{ export -p; echo "cd ${"$"}(printf %q "$PWD")"; } > ${JSON.stringify(envFile)}\n`;
        const r = await run(script, dir, env);
        if (r.code !== 0) throw new Error(`${where}: the block exited ${r.code}\n--- block ---\n${block.code}\n--- output ---\n${r.output}`);
      }
    } finally {
      await server?.stop();
      for (const child of background) stop(child);
      await Promise.all(background.map((child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once("exit", resolve)))));
    }
  }, 900_000); // the release, when no suite before built it: minutes on a loaded machine
});

/** Where the release is, as the schema says (src/native/schema.json): a page's programs naming it get the test release. */
const releaseLocation: string = JSON.parse(fs.readFileSync(path.join(repoRoot, "src/native/schema.json"), "utf8")).pluginDownloadURL;

function run(script: string, cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", ["-c", script], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d) => (output += d));
    child.stderr.on("data", (d) => (output += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, output }));
  });
}

/** Starts a dev-server block as a second terminal would, and waits for its banner. */
function startInBackground(code: string, cwd: string, env: NodeJS.ProcessEnv, where: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    // Its own process group, so stopping it stops npx and the server it started.
    const child = spawn("bash", ["-c", `exec ${code.trim()}`], { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
    let output = "";
    const timer = setTimeout(() => fail(new Error(`${where}: no banner within 60 s\n${output}`)), 60_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      stop(child);
      reject(e);
    };
    child.stdout.on("data", (d) => {
      output += d;
      if (output.includes("pulumi config set --secret seam:apiKey")) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr.on("data", (d) => (output += d));
    child.on("exit", (code) => fail(new Error(`${where}: the background command exited ${code} before its banner\n${output}`)));
  });
}

function stop(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, "SIGTERM");
  } catch {
    // already gone
  }
}
