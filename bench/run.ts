/**
 * `npm run bench`: pulumi-seam-acs against the dynamic provider a user would write by hand, side by
 * side in one run, through the real pulumi CLI and Seam's fake behind a proxy that adds a fixed
 * latency to every request (and, optionally, a rate limit). Prints wall time, requests by route,
 * peak requests in flight and 429s for up / preview / refresh / destroy.
 *
 *   npm run bench -- --sizes 100,1000 --groups 1,10,100 --latency 50 [--rate-limit 50] [--parallel 8]
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import globalSetup from "../test/global-setup";
import { PulumiProject } from "../test/support/pulumi";
import { RecordedRequest, SeamFake, startSeamFake } from "../test/support/seam-fake";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000" },
    groups: { type: "string", default: "1,10,100" },
    latency: { type: "string", default: "50" },
    "rate-limit": { type: "string" },
    parallel: { type: "string" },
  },
});
const list = (text: string) => text.split(",").map((s) => Number(s.trim()));
const sizes = list(args.sizes!);
const groupCounts = list(args.groups!);
const latencyMs = Number(args.latency);
const rateLimit = args["rate-limit"] === undefined ? undefined : Number(args["rate-limit"]);
const parallel = args.parallel === undefined ? [] : ["--parallel", args.parallel];

const phases = {
  up: ["up", "--yes", "--skip-preview", ...parallel],
  preview: ["preview", ...parallel],
  refresh: ["refresh", "--yes", "--skip-preview", ...parallel],
  destroy: ["destroy", "--yes", "--skip-preview", ...parallel],
} as const;
type Phase = keyof typeof phases;

interface Figures {
  readonly ok: boolean;
  readonly seconds: number;
  readonly requests: number;
  readonly byRoute: Record<string, number>;
  readonly peakInFlight: number;
  readonly throttled: number;
}

const routeNames: Record<string, string> = {
  "/acs/users/add_to_access_group": "add",
  "/acs/users/remove_from_access_group": "remove",
  "/acs/access_groups/list": "groups/list",
  "/acs/access_groups/list_users": "list_users",
  "/workspaces/get": "workspace",
};

async function measure(fake: SeamFake, p: PulumiProject, phase: Phase): Promise<Figures> {
  const before = fake.requests.length;
  fake.resetPeakInFlight();
  const started = process.hrtime.bigint();
  const result = await p.run([...phases[phase]], { allowFailure: true });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sent: RecordedRequest[] = fake.requests.slice(before);
  const byRoute: Record<string, number> = {};
  for (const r of sent) byRoute[routeNames[r.path] ?? r.path] = (byRoute[routeNames[r.path] ?? r.path] ?? 0) + 1;
  return { ok: result.code === 0, seconds, requests: sent.length, byRoute, peakInFlight: fake.peakInFlight(), throttled: sent.filter((r) => r.status === 429).length };
}

async function lifecycle(fake: SeamFake, kind: "ours" | "baseline", memberships: object[], label: string): Promise<Record<Phase, Figures>> {
  const program = fs.readFileSync(path.join(__dirname, "..", "..", "bench", kind === "ours" ? "program.js" : "baseline-program.js"), "utf8");
  const p = new PulumiProject(`bench-${kind}-${label}`, { program, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  fs.writeFileSync(path.join(p.dir, "memberships.json"), JSON.stringify(memberships));
  await p.init();
  const figures = {} as Record<Phase, Figures>;
  for (const phase of Object.keys(phases) as Phase[]) figures[phase] = await measure(fake, p, phase);
  fs.rmSync(p.dir, { recursive: true, force: true });
  return figures;
}

function routes(f: Figures): string {
  return Object.entries(f.byRoute)
    .sort()
    .map(([r, n]) => `${r} ${n}`)
    .join(", ");
}

function ratio(a: number, b: number): string {
  return b === 0 ? (a === 0 ? "–" : "∞") : `${(a / b).toFixed(2)}×`;
}

async function main() {
  globalSetup();
  const fake = await startSeamFake();
  fake.setLatency(latencyMs);
  fake.setRateLimit(rateLimit);
  const rows: string[][] = [];
  try {
    for (const n of sizes) {
      for (const g of groupCounts) {
        const users = Math.ceil(n / g);
        const us = Array.from({ length: users }, (_, i) => fake.addUser(`bench user ${i}`));
        const gs = Array.from({ length: g }, (_, i) => fake.addGroup(`bench group ${i}`));
        const memberships = us.flatMap((u, i) => gs.map((gr, j) => ({ name: `m-${i}-${j}`, acsUserId: u, acsAccessGroupId: gr }))).slice(0, n);
        process.stderr.write(`bench: N=${n} G=${g} ...\n`);
        const ours = await lifecycle(fake, "ours", memberships, `${n}-${g}`);
        const base = await lifecycle(fake, "baseline", memberships, `${n}-${g}`);
        for (const phase of Object.keys(phases) as Phase[]) {
          const o = ours[phase];
          const b = base[phase];
          const cell = (f: Figures) => `${f.ok ? "" : "FAILED "}${f.seconds.toFixed(1)} s; ${f.requests} req (${routes(f) || "none"}); peak ${f.peakInFlight}; 429 ${f.throttled}`;
          rows.push([String(n), String(g), phase, cell(o), cell(b), ratio(o.seconds, b.seconds), ratio(o.requests, b.requests)]);
        }
      }
    }
  } finally {
    await fake.stop();
  }
  const header = ["N", "G", "phase", "pulumi-seam-acs", "hand-written baseline", "time ratio", "request ratio"];
  console.log(`\nLatency ${latencyMs} ms per request; rate limit ${rateLimit === undefined ? "none" : `${rateLimit}/s`}; ` +
    `engine parallelism ${args.parallel ?? `default (4 × ${os.cpus().length} cores)`}; ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? "unknown CPU"}; ${new Date().toISOString().slice(0, 10)}\n`);
  console.log(`| ${header.join(" | ")} |`);
  console.log(`|${header.map(() => "---").join("|")}|`);
  for (const row of rows) console.log(`| ${row.join(" | ")} |`);
  const consumer = process.env.SEAM_ACS_TEST_CONSUMER;
  if (consumer?.startsWith(os.tmpdir())) fs.rmSync(consumer, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
