#!/usr/bin/env node
// `npm run demo`: walks a throwaway stack of the quickstart (Pulumi.yaml at the repository root)
// through up, a preview of a removal and its review in names and in doors (`pulumi-seam-acs
// review` says by default which entrances each person loses, and which they keep through another group), up and
// destroy, and prints what the engine showed and what Seam holds after each step.
//
// By default it runs against the package's local Seam (what `pulumi-seam-acs dev-server` runs:
// Seam's fake plus the routes it lacks) on a local port, with a few seeded users and groups, and ignores any Seam credentials in the environment. To use a real
// workspace, set SEAM_DEMO_MEMBERSHIPS (a JSON list of {name, acsUserId, acsAccessGroupId}, at
// least two) and credentials (SEAM_API_KEY, or a token and SEAM_WORKSPACE_ID); the demo then
// adds and finally removes exactly those memberships.
"use strict";

const { execFile, execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

const repoRoot = path.resolve(__dirname, "..");

async function main() {
  const real = process.env.SEAM_DEMO_MEMBERSHIPS !== undefined;
  const seam = real ? realWorkspace() : await fakeWorkspace();
  const bin = execFileSync("bash", [path.join(repoRoot, "scripts/pulumi-cli.sh")], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "seam-acs-demo-"));
  const env = {
    ...seam.env,
    PATH: [bin, path.dirname(process.execPath), process.env.PATH].join(path.delimiter),
    PULUMI_HOME: path.join(work, "home"),
    PULUMI_BACKEND_URL: `file://${path.join(work, "state")}`,
    PULUMI_CONFIG_PASSPHRASE: "demo",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DIY_BACKEND_NO_LEGACY_WARNING: "true",
  };
  fs.mkdirSync(path.join(work, "state"));
  const stackFile = path.join(repoRoot, "Pulumi.demo.yaml");
  const hadStackFile = fs.existsSync(stackFile);
  // Asynchronous on purpose: the fake answers from this process's event loop.
  const pulumi = (args, { show = true } = {}) =>
    new Promise((resolve, reject) => {
      if (show) console.log(`\n$ pulumi ${args.join(" ")}`);
      execFile("pulumi", [...args, "--non-interactive", "--color=never"], { cwd: repoRoot, env, maxBuffer: 1 << 26 }, (error, stdout, stderr) => {
        if (show) console.log(process.env.SEAM_DEMO_VERBOSE ? stdout : engineLines(stdout));
        if (error) {
          console.error(stdout, stderr);
          reject(new Error(`pulumi ${args[0]} failed`));
        } else resolve(stdout);
      });
    });

  try {
    console.log(real ? "Seam: the workspace your credentials name" : `Seam: the fake at ${seam.endpoint} (nothing real is touched)`);
    await pulumi(["stack", "init", "demo"], { show: false });
    if (seam.endpoint) await pulumi(["config", "set", "seam:endpoint", seam.endpoint], { show: false });
    const all = seam.memberships;
    await pulumi(["config", "set", "memberships", JSON.stringify(all)], { show: false });
    console.log(`\nThe program declares: ${all.map((m) => m.name).join(", ")}`);
    await pulumi(["up", "--yes", "--skip-preview"]);
    await seam.show();

    const dropped = all.at(-1);
    await pulumi(["config", "set", "memberships", JSON.stringify(all.slice(0, -1))], { show: false });
    console.log(`\n${dropped.name} leaves the program. A pull request's preview shows the revocation, and changes nothing:`);
    await pulumi(["preview"]);
    await seam.show();

    console.log("\nThe same preview as JSON, reviewed in names and doors (what a pull request's comment shows):");
    const previewJson = await pulumi(["preview", "--json", "--show-sames"], { show: false });
    console.log("\n$ pulumi preview --json --show-sames | npx pulumi-seam-acs review");
    // Names are read with the credentials and endpoint of the environment, as in a pipeline.
    console.log(await review(previewJson, { ...env, ...(seam.endpoint ? { SEAM_ENDPOINT: seam.endpoint } : {}) }));

    console.log("\nThe pipeline applies it:");
    await pulumi(["up", "--yes", "--skip-preview"]);
    await seam.show();

    console.log("\nThe stack is destroyed:");
    await pulumi(["destroy", "--yes", "--skip-preview"]);
    await seam.show();
  } finally {
    await seam.stop();
    fs.rmSync(work, { recursive: true, force: true });
    // `stack init` wrote the stack's settings next to Pulumi.yaml; the stack itself lived in `work`.
    if (!hadStackFile) fs.rmSync(stackFile, { force: true });
  }
}

/** Runs the package's own `review` (the built dist/cli.js; doors by default) on a JSON preview. */
function review(previewJson, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, "dist/cli.js"), "review"], { env, stdio: ["pipe", "pipe", "inherit"] });
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve(out.trimEnd().replace(/^(?=.)/gm, "  ")) : reject(new Error(`pulumi-seam-acs review exited ${code}`))));
    child.stdin.end(previewJson);
  });
}

const membershipLine = /^\s*[-+~]\s+pulumi-nodejs:dynamic\/seam:AccessGroupMembership \S+ (create|delete|update|replace)d?\b/;

/**
 * The memberships' lines of the engine's output, and a summary that counts memberships only (the
 * engine's own summary also counts the stack resource: "+ 4 created" under three memberships).
 */
function engineLines(stdout) {
  const lines = stdout.split("\n").filter((l) => membershipLine.test(l) && !/\b(creating|deleting|updating|replacing) \(/.test(l));
  const counts = {};
  for (const l of lines) {
    const [, verb] = membershipLine.exec(l);
    counts[verb] = (counts[verb] ?? 0) + 1;
  }
  const sign = { create: "+", delete: "-", update: "~", replace: "+-" };
  const done = /\b(created|deleted|updated|replaced)\b/.test(lines.join("\n"));
  const summary = Object.entries(counts).map(([verb, n]) => `${sign[verb]} ${n} ${done ? `${verb}d` : `to ${verb}`}`);
  return [...lines.map((l) => `  ${l.trim()}`), `  Memberships: ${summary.join(", ") || "no changes"}`].join("\n");
}

/** The package's local Seam (what `pulumi-seam-acs dev-server` runs: Seam's fake plus the routes it lacks), seeded with three people and two groups. */
async function fakeWorkspace() {
  const { startSeamDouble } = require("../dist/dev-seam/seam-double");
  const { applySeed, defaultSeed } = require("../dist/dev-seam/seed-file");
  const seam = await startSeamDouble();
  const { users, groups } = await applySeed(seam, defaultSeed);
  // Alan is also in the Lobby, granted in the console: the review in doors shows he keeps the
  // Front door through it when the program drops his Lab membership.
  seam.grantOutOfBand(users.alan, groups.lobby);
  const memberships = [
    ["ada-lobby", users.ada, groups.lobby],
    ["grace-lobby", users.grace, groups.lobby],
    ["alan-lab", users.alan, groups.lab],
  ].map(([name, acsUserId, acsAccessGroupId]) => ({ name, acsUserId, acsAccessGroupId }));

  // Only the local Seam's key reaches the child processes: a real token in this shell stays unused.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SEAM_")));
  env.SEAM_API_KEY = seam.apiKey;
  return {
    endpoint: seam.url,
    env,
    memberships,
    async show() {
      const { users: all, groups: held } = seam.snapshot();
      const names = Object.fromEntries(all.map((u) => [u.acsUserId, u.fullName]));
      const lines = held.map((g) => `  ${g.name}: ${g.members.map((id) => names[id]).sort().join(", ") || "(nobody)"}`);
      console.log(`Seam now holds:\n${lines.join("\n")}`);
    },
    stop: () => seam.stop(),
  };
}

function realWorkspace() {
  const memberships = JSON.parse(process.env.SEAM_DEMO_MEMBERSHIPS);
  if (!Array.isArray(memberships) || memberships.length < 2) throw new Error("SEAM_DEMO_MEMBERSHIPS must list at least two memberships");
  return {
    endpoint: process.env.SEAM_ENDPOINT,
    env: { ...process.env },
    memberships,
    async show() {
      console.log("(a real workspace: check it in the Seam console)");
    },
    stop: async () => {},
  };
}

main().catch((e) => {
  console.error(e.message);
  process.exit(1);
});
