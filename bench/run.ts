/**
 * `npm run bench`: pulumi-seam-acs's two shapes (one AccessGroupMembership per pair, one
 * AccessGroupRoster per group), each through the dynamic provider and the native `seam` provider
 * plugin, against the dynamic provider a user would write by hand, side by side in one run, through the real pulumi CLI and Seam's fake behind a proxy that adds a fixed
 * latency to every request (and, optionally, a rate limit). Prints wall time, requests by route,
 * peak requests in flight and 429s for up / preview / refresh / destroy, the state's bytes per
 * membership after up, and the review in names of a change that removes every membership.
 *
 *   npm run bench -- --sizes 100,1000 --groups 1,10,100 --latency 50 [--rate-limit 50] [--parallel 8]
 *   npm run bench -- --sizes 1000,10000 --groups 10,100 --shapes roster,native-roster   # campus scale
 *   npm run bench -- --plugin     # the released plugin's size per platform and its start (bench/plugin.ts)
 *
 * Per-resource shapes (membership, baseline) grow with the square of N in the engine (the file
 * backend rewrites the checkpoint after every step): above --per-resource-max (default 1,000)
 * they are skipped unless that flag is raised.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import globalSetup from "../test/global-setup";
import { pluginRows } from "./plugin";
import { PulumiProject } from "../test/support/pulumi";
import { runReview } from "../test/support/review";
import { RecordedRequest, SeamFake, startSeamFake } from "../test/support/seam-fake";

const { values: args } = parseArgs({
  options: {
    sizes: { type: "string", default: "100,1000" },
    groups: { type: "string", default: "1,10,100" },
    latency: { type: "string", default: "50" },
    "rate-limit": { type: "string" },
    parallel: { type: "string" },
    shapes: { type: "string", default: "membership,roster,native-membership,native-roster,baseline" },
    "per-resource-max": { type: "string", default: "1000" },
    plugin: { type: "boolean", default: false },
  },
});
type Shape = "membership" | "roster" | "native-membership" | "native-roster" | "baseline";
const shapes = args.shapes!.split(",").map((s) => s.trim()) as Shape[];
const perResourceMax = Number(args["per-resource-max"]);
const programs: Record<Shape, string> = {
  membership: "program.js",
  roster: "roster-program.js",
  "native-membership": "native-program.js",
  "native-roster": "native-roster-program.js",
  baseline: "baseline-program.js",
};
/** Shapes with one resource per group: not limited by --per-resource-max. */
const perGroup = new Set<Shape>(["roster", "native-roster"]);
const list = (text: string) => text.split(",").map((s) => Number(s.trim()));
const sizes = list(args.sizes!);
const groupCounts = list(args.groups!);
const latencyMs = Number(args.latency);
const rateLimit = args["rate-limit"] === undefined ? undefined : Number(args["rate-limit"]);
const parallel = args.parallel === undefined ? [] : ["--parallel", args.parallel];

const phases = {
  up: ["up", "--yes", "--skip-preview", ...parallel],
  preview: ["preview", ...parallel],
  review: [],
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
  /** After up: the stack's checkpoint size divided by N. */
  readonly bytesPerMember?: number;
}

const routeNames: Record<string, string> = {
  "/acs/users/add_to_access_group": "add",
  "/acs/users/remove_from_access_group": "remove",
  "/acs/access_groups/list": "groups/list",
  "/acs/access_groups/list_users": "list_users",
  "/workspaces/get": "workspace",
};

/**
 * The review phase: `pulumi preview --json --show-sames` of a program that declares nothing (every
 * membership removed), then `pulumi-seam-acs review` with names; the time and requests are the
 * review's own (the preview is not counted).
 */
async function review(fake: SeamFake, p: PulumiProject): Promise<{ code: number }> {
  const preview = await p.run(["preview", "--json", "--show-sames", ...parallel], { allowFailure: true, env: { BENCH_DROP_ALL: "1" } });
  if (preview.code !== 0) {
    reviewBefore = fake.requests.length;
    reviewStarted = process.hrtime.bigint();
    return preview;
  }
  return reviewWithNames(fake, preview.stdout);
}

let reviewStarted = 0n;
let reviewBefore = 0;
async function reviewWithNames(fake: SeamFake, preview: string): Promise<{ code: number }> {
  reviewBefore = fake.requests.length;
  fake.resetPeakInFlight();
  reviewStarted = process.hrtime.bigint();
  const r = await runReview(["review", "--format", "json"], { stdin: preview, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  return { code: r.code === 3 || r.code === 0 ? 0 : r.code };
}

async function measure(fake: SeamFake, p: PulumiProject, phase: Phase, n: number): Promise<Figures> {
  let before = fake.requests.length;
  fake.resetPeakInFlight();
  let started = process.hrtime.bigint();
  const result = phase === "review" ? await review(fake, p) : await p.run([...phases[phase]], { allowFailure: true });
  if (result.code !== 0) process.stderr.write(`bench: ${phase} failed:\n${"stdout" in result ? `${result.stdout}\n${result.stderr}` : ""}\n`.slice(0, 4000));
  if (phase === "review") {
    before = reviewBefore;
    started = reviewStarted;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const sent: RecordedRequest[] = fake.requests.slice(before);
  const byRoute: Record<string, number> = {};
  for (const r of sent) byRoute[routeNames[r.path] ?? r.path] = (byRoute[routeNames[r.path] ?? r.path] ?? 0) + 1;
  const bytesPerMember = phase === "up" ? checkpointBytes(p) / n : undefined;
  return { ok: result.code === 0, seconds, requests: sent.length, byRoute, peakInFlight: fake.peakInFlight(), throttled: sent.filter((r) => r.status === 429).length, bytesPerMember };
}

/** The size of the stack's checkpoint file(s) in the file backend (history and backups left out). */
function checkpointBytes(p: PulumiProject): number {
  let total = 0;
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) {
        if (e.name !== "history" && e.name !== "backups") walk(f);
      } else if (/\.json$/.test(e.name) && f.includes(`${path.sep}stacks${path.sep}`)) total += fs.statSync(f).size;
    }
  };
  walk(p.backend);
  return total;
}

async function lifecycle(fake: SeamFake, kind: Shape, memberships: object[], label: string): Promise<Record<Phase, Figures>> {
  const program = fs.readFileSync(path.join(__dirname, "..", "..", "bench", programs[kind]), "utf8");
  const p = new PulumiProject(`bench-${kind}-${label}`, { program, env: { SEAM_API_KEY: fake.apiKey, SEAM_ENDPOINT: fake.url } });
  // The native shapes: the engine finds the installed package's plugin on PATH, as after a global install of the package.
  if (kind.startsWith("native-")) {
    const pluginDir = path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");
    p.setEnv({ PATH: [pluginDir, p.commandEnv.PATH].join(path.delimiter) });
  }
  fs.writeFileSync(path.join(p.dir, "memberships.json"), JSON.stringify(memberships));
  await p.init();
  const figures = {} as Record<Phase, Figures>;
  for (const phase of Object.keys(phases) as Phase[]) {
    // The hand-written baseline has no review.
    if (phase === "review" && kind === "baseline") continue;
    figures[phase] = await measure(fake, p, phase, memberships.length);
  }
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
  if (args.plugin) {
    // The released plugin's size and start only (bench/plugin.ts).
    for (const row of await pluginRows()) console.log(row);
    return;
  }
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
        const measured: Partial<Record<Shape, Record<Phase, Figures>>> = {};
        for (const shape of shapes) {
          if (!perGroup.has(shape) && n > perResourceMax) continue;
          process.stderr.write(`bench: N=${n} G=${g} ${shape} ...\n`);
          measured[shape] = await lifecycle(fake, shape, memberships, `${n}-${g}`);
        }
        // The default request budget: 8 requests in flight.
        const floor = (n * latencyMs) / 1000 / 8;
        for (const phase of Object.keys(phases) as Phase[]) {
          const cell = (f: Figures | undefined) =>
            f === undefined
              ? "–"
              : `${f.ok ? "" : "FAILED "}${f.seconds.toFixed(1)} s; ${f.requests} req (${routes(f) || "none"}); peak ${f.peakInFlight}; 429 ${f.throttled}` +
                (f.bytesPerMember === undefined ? "" : `; state ${Math.round(f.bytesPerMember)} B/member`);
          const o = measured.membership?.[phase];
          const b = measured.baseline?.[phase];
          rows.push([
            String(n),
            String(g),
            phase,
            ...shapes.map((s) => cell(measured[s]?.[phase])),
            phase === "up" || phase === "destroy" ? `${floor.toFixed(1)} s` : "",
            o && b ? ratio(o.seconds, b.seconds) : "–",
          ]);
          // As it goes, so a long run that is stopped still leaves its figures.
          process.stderr.write(`| ${rows.at(-1)!.join(" | ")} |\n`);
        }
      }
    }
  } finally {
    await fake.stop();
  }
  const label: Record<Shape, string> = {
    membership: "AccessGroupMembership per pair",
    roster: "AccessGroupRoster per group",
    "native-membership": "native AccessGroupMembership per pair",
    "native-roster": "native AccessGroupRoster per group",
    baseline: "hand-written baseline",
  };
  const header = ["N", "G", "phase", ...shapes.map((s) => label[s]), "request floor (N × latency / 8)", "membership / baseline time"];
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
