#!/usr/bin/env node
// `npm run demo`: walks a throwaway stack of the quickstart (Pulumi.yaml at the repository root)
// through up, a preview of a removal and its review in names (`pulumi-seam-acs review`), up and
// destroy, and prints what the engine showed and what Seam holds after each step.
//
// By default it runs against Seam's fake (@seamapi/fake-seam-connect) on a local port, with a few
// seeded users and groups, and ignores any Seam credentials in the environment. To use a real
// workspace, set SEAM_DEMO_MEMBERSHIPS (a JSON list of {name, acsUserId, acsAccessGroupId}, at
// least two) and credentials (SEAM_API_KEY, or a token and SEAM_WORKSPACE_ID); the demo then
// adds and finally removes exactly those memberships.
"use strict";

const { execFile, execFileSync, spawn } = require("node:child_process");
const fs = require("node:fs");
const http = require("node:http");
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

    console.log("\nThe same preview as JSON, reviewed in names (what a pull request's comment shows):");
    const previewJson = await pulumi(["preview", "--json", "--show-sames"], { show: false });
    console.log("\n$ pulumi preview --json --show-sames | npx pulumi-seam-acs review");
    // Names are read with the credentials and endpoint of the environment, as in a pipeline.
    const reviewEndpoint = seam.reviewEndpoint ?? seam.endpoint;
    console.log(await review(previewJson, { ...env, ...(reviewEndpoint ? { SEAM_ENDPOINT: reviewEndpoint } : {}) }));

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

/** Runs the package's own `review` command (the built dist/cli.js) on a JSON preview. */
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
  const front = await groupNamesFront(fake.serverUrl, db);
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
    reviewEndpoint: front.url,
    env,
    memberships,
    async show() {
      const names = Object.fromEntries(db.getState().acs_users.map((u) => [u.acs_user_id, u.full_name]));
      const lines = db
        .getState()
        .acs_access_groups.map((g) => `  ${g.name}: ${[...new Set(g._acs_user_ids)].map((id) => names[id]).sort().join(", ") || "(nobody)"}`);
      console.log(`Seam now holds:\n${lines.join("\n")}`);
    },
    stop: async () => {
      await front.stop();
      await fake.stopServer();
    },
  };
}

/**
 * Seam's fake has no /acs/access_groups/get and /list_users, where the review reads group names
 * and members (the tests' double, test/support/seam-fake.ts, adds them with the fake's auth and
 * Seam's full schema). For the demo a small front answers them from the fake's database and
 * passes every other request on.
 */
async function groupNamesFront(upstream, db) {
  const server = http.createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    if (req.url === "/acs/access_groups/get") {
      const id = JSON.parse(body || "{}").acs_access_group_id;
      const group = db.getState().acs_access_groups.find((g) => g.acs_access_group_id === id);
      res.writeHead(group ? 200 : 404, { "content-type": "application/json" });
      res.end(
        JSON.stringify(
          group
            ? { acs_access_group: { acs_access_group_id: id, name: group.name }, ok: true }
            : { error: { type: "acs_access_group_not_found", message: "acs_access_group not found" }, ok: false },
        ),
      );
      return;
    }
    if (req.url === "/acs/access_groups/list_users") {
      // Who is in the group at Seam, each as the fake's own acs_user: the review reads whether a
      // change is in place at the door already.
      const id = JSON.parse(body || "{}").acs_access_group_id;
      const group = db.getState().acs_access_groups.find((g) => g.acs_access_group_id === id);
      const users = [];
      for (const acsUserId of new Set(group ? group._acs_user_ids : [])) {
        const got = await fetch(`${upstream}/acs/users/get`, {
          method: "POST",
          headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
          body: JSON.stringify({ acs_user_id: acsUserId }),
        });
        if (got.ok) users.push((await got.json()).acs_user);
      }
      res.writeHead(group ? 200 : 404, { "content-type": "application/json" });
      res.end(JSON.stringify(group ? { acs_users: users, ok: true } : { error: { type: "acs_access_group_not_found", message: "acs_access_group not found" }, ok: false }));
      return;
    }
    const answer = await fetch(upstream + req.url, {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? "", "content-type": "application/json" },
      body: req.method === "GET" ? undefined : body,
    });
    res.writeHead(answer.status, { "content-type": answer.headers.get("content-type") ?? "application/json" });
    res.end(await answer.text());
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () => new Promise((resolve) => server.close(resolve)),
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
