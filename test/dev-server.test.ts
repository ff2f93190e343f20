/**
 * `pulumi-seam-acs dev-server` as a user runs it (the installed package's bin): the banner's
 * endpoint, key and ids work against the routes the provider uses, and a bad seed file or a
 * taken port ends at once with what to fix.
 */
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { nodeBinDir, repoRoot } from "./support/consumer";
import { reviewBin as bin } from "./support/review";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dev-server-"));
const env = { PATH: [nodeBinDir, process.env.PATH].join(path.delimiter), HOME: process.env.HOME };

/** Starts the command in `cwd` (default: this checkout, where Seam's fake is installed as a devDependency). */
function start(args: string[], cwd = repoRoot): { child: ChildProcess; output: Promise<{ code: number | null; stdout: string; stderr: string }>; banner: Promise<string> } {
  const child = spawn(bin(), ["dev-server", ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  let seen: (text: string) => void;
  const banner = new Promise<string>((resolve) => (seen = resolve));
  child.stdout!.setEncoding("utf8").on("data", (d: string) => {
    stdout += d;
    if (stdout.includes("everything lives in memory")) seen(stdout);
  });
  child.stderr!.setEncoding("utf8").on("data", (d: string) => (stderr += d));
  const output = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  // A command that ends before its banner fails the wait with what it printed.
  const ended = output.then((o) => Promise.reject(new Error(`dev-server exited ${o.code} before its banner:\n${o.stdout}${o.stderr}`)));
  const raced = Promise.race([banner, ended]);
  // Tests that expect a failure never wait for the banner.
  raced.catch(() => undefined);
  return { child, output, banner: raced };
}

test("seeded from a file: prints endpoint, key, ids and the config lines; the ids answer on the routes the provider reads; Ctrl-C ends it with 0", async () => {
  const seed = path.join(dir, "seed.yaml");
  fs.writeFileSync(
    seed,
    "users:\n  ada: { fullName: Ada Lovelace, email: ada@example.com }\n  bob:\nentrances:\n  front: { name: Front door }\n  back:\ngroups:\n  lobby: { name: Lobby, members: [ada], entrances: [front, back] }\n",
  );
  const { child, output, banner } = start(["--seed", seed, "--port", "0"]);
  const text = await banner;
  const url = /at (http:\/\/127\.0\.0\.1:\d+)/.exec(text)![1]!;
  const key = /API key: (\S+)/.exec(text)![1]!;
  const ada = /^ {2}ada +(\S+)$/m.exec(text)![1]!;
  const lobby = /^ {2}lobby +(\S+)$/m.exec(text)![1]!;
  expect(text).toMatch(/^ {2}bob +\S+$/m);
  expect(text).toContain(`  pulumi config set seam:endpoint ${url}\n  pulumi config set --secret seam:apiKey ${key}\n`);
  const res = await fetch(`${url}/acs/access_groups/list_users`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ acs_access_group_id: lobby }),
  });
  expect(res.status).toBe(200);
  expect(((await res.json()) as { acs_users: { acs_user_id: string; full_name: string }[] }).acs_users.map((u) => [u.acs_user_id, u.full_name])).toEqual([[ada, "Ada Lovelace"]]);
  // The doors the seed gave the group, on the route the review in doors reads.
  const front = /^ {2}front +(\S+)$/m.exec(text)![1]!;
  const doors = await fetch(`${url}/acs/access_groups/list_accessible_entrances`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ acs_access_group_id: lobby }),
  });
  const entrances = ((await doors.json()) as { acs_entrances: { acs_entrance_id: string; display_name: string }[] }).acs_entrances;
  expect(entrances.map((e) => e.display_name)).toEqual(["Front door", "back"]);
  expect(entrances[0]!.acs_entrance_id).toBe(front);
  child.kill("SIGINT");
  expect((await output).code).toBe(0);
});

test("without Seam's fake installed it says how to install it; a seed file with mistakes lists them; a taken port says so; each exits 1 at once", async () => {
  const noFake = await start(["--port", "0"], dir).output;
  expect(noFake.code).toBe(1);
  expect(noFake.stderr).toMatch(/needs Seam's fake, @seamapi\/fake-seam-connect, which is not installed .*npm install --save-dev @seamapi\/fake-seam-connect@1\.86\.0\n$/);

  const seed = path.join(dir, "bad.yaml");
  fs.writeFileSync(seed, "users:\n  ada: { email: not-an-email, phone: 1 }\ngroups:\n  lobby: { members: [grace], entrances: [gate] }\n");
  const bad = await start(["--seed", seed, "--port", "0"]).output;
  expect(bad.code).toBe(1);
  expect(bad.stderr).toMatch(/Seed file .*bad\.yaml has 2 problems:\n {2}users\.ada\.email: is not an email address\n {2}users\.ada: Unrecognized key: "phone"\n/);

  const taken = net.createServer();
  await new Promise<void>((resolve) => taken.listen(0, "127.0.0.1", resolve));
  try {
    const port = (taken.address() as net.AddressInfo).port;
    const busy = await start(["--port", String(port)]).output;
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(`pulumi-seam-acs dev-server: port ${port} is in use; pass --port with another (0 picks a free one).`);
  } finally {
    taken.close();
  }
});
