#!/usr/bin/env node
// `npm run demo`: walks a throwaway stack of the quickstart (Pulumi.yaml at the repository root)
// through up, a preview of a removal, up and destroy, and prints what the engine showed and what
// Seam holds after each step.
//
// By default it runs against Seam's fake (@seamapi/fake-seam-connect) on a local port, with a few
// seeded users and groups, and ignores any Seam credentials in the environment. To use a real
// workspace, set SEAM_DEMO_MEMBERSHIPS (a JSON list of {name, acsUserId, acsAccessGroupId}, at
// least two) and credentials (SEAM_API_KEY, or a token and SEAM_WORKSPACE_ID); the demo then
// adds and finally removes exactly those memberships.
"use strict";

const { execFile, execFileSync } = require("node:child_process");
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

/** Resource lines and the summary of the engine's output. */
function engineLines(stdout) {
  return stdout
    .split("\n")
    .filter((l) => /^\s*[-+~]\s+pulumi-nodejs|^\s*[-+~]?\s*\d+ (to )?\w+|^Resources:|^\s+\d+ unchanged|^Duration/.test(l))
    .filter((l) => !/\b(creating|deleting|updating|replacing) \(/.test(l))
    .map((l) => `  ${l.trim()}`)
    .join("\n");
}

async function fakeWorkspace() {
  const { createFake } = require("@seamapi/fake-seam-connect");
  const fake = await createFake();
  const seed = await fake.seed();
  const db = fake.database;
  const common = { acs_system_id: seed.visionline_acs_system_1, workspace_id: seed.seed_workspace_1 };
  const user = (full_name) => db.addAcsUser({ ...common, full_name, external_type: "salto_site_user" });
  const group = (name) => db.addAcsAccessGroup({ ...common, name, external_type: "salto_ks_access_group" });
  const users = { ada: user("Ada Lovelace"), grace: user("Grace Hopper"), alan: user("Alan Turing") };
  const groups = { lobby: group("Lobby"), lab: group("Lab") };
  await fake.startServer();
  const memberships = [
    ["ada-lobby", users.ada, groups.lobby],
    ["grace-lobby", users.grace, groups.lobby],
    ["alan-lab", users.alan, groups.lab],
  ].map(([name, u, g]) => ({ name, acsUserId: u.acs_user_id, acsAccessGroupId: g.acs_access_group_id }));

  // Only the fake's own key reaches the child processes: a real token in this shell stays unused.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("SEAM_")));
  env.SEAM_API_KEY = seed.seam_apikey1_token;
  return {
    endpoint: fake.serverUrl,
    env,
    memberships,
    async show() {
      const names = Object.fromEntries(db.getState().acs_users.map((u) => [u.acs_user_id, u.full_name]));
      const lines = db
        .getState()
        .acs_access_groups.map((g) => `  ${g.name}: ${[...new Set(g._acs_user_ids)].map((id) => names[id]).sort().join(", ") || "(nobody)"}`);
      console.log(`Seam now holds:\n${lines.join("\n")}`);
    },
    stop: () => fake.stopServer(),
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
