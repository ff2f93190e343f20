/**
 * The history's bench row: `pulumi-seam-acs history --history-dir` over a DIY history of
 * `updates` updates of a stack of `n` AccessGroupMembership resources spread over `groups`
 * groups (written as Pulumi writes them, resources shaped as the dynamic provider's state), one
 * membership changing per update. Measures the whole command (a fresh process: read every
 * checkpoint once, net, format JSON), not the engine.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeHistory, type SyntheticUpdate } from "../test/support/history-files";

const membershipType = "pulumi-nodejs:dynamic/seam:AccessGroupMembership";

function membership(i: number, g: number): object {
  const user = `8d7e0b3a-b889-49a7-9164-${String(i).padStart(12, "0")}`;
  const group = `123e4567-e89b-12d3-a456-${String(g).padStart(12, "0")}`;
  const props = { __provider: 'exports.handler = require("pulumi-seam-acs/serialized-provider");', acsUserId: user, acsAccessGroupId: group };
  return {
    urn: `urn:pulumi:prod::doors::${membershipType}::m-${i}`,
    custom: true,
    id: `${group}/${user}`,
    type: membershipType,
    inputs: props,
    outputs: { ...props, workspaceId: "00000000-0000-4000-8000-000000000001" },
    parent: "urn:pulumi:prod::doors::pulumi:pulumi:Stack::doors-prod",
    provider: "urn:pulumi:prod::doors::pulumi:providers:pulumi-nodejs::default::0b6f8a59-8b1a-4a43-9a77-0b7e0a8b2c11",
    propertyDependencies: { acsAccessGroupId: [], acsUserId: [] },
    created: "2026-11-03T22:00:01.123456789Z",
    modified: "2026-11-03T22:00:01.123456789Z",
    sourcePosition: "project:///index.js#12,3",
  };
}

/** Seconds for one `history` run over that history, and the intervals it found. */
export function benchHistory(updates: number, n: number, groups: number): { seconds: number; intervals: number; bytes: number } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-history-"));
  try {
    const steps: SyntheticUpdate[] = [];
    const held = new Set(Array.from({ length: n }, (_, i) => i));
    for (let k = 0; k < updates; k++) {
      // One membership leaves or comes back per update: every checkpoint differs a little, as a real stack's do.
      const i = (k * 7919) % n;
      if (held.has(i)) held.delete(i);
      else held.add(i);
      const resources = [{ urn: "urn:pulumi:prod::doors::pulumi:pulumi:Stack::doors-prod", custom: false, type: "pulumi:pulumi:Stack" }, ...[...held].map((m) => membership(m, m % groups))];
      steps.push({ kind: "update", start: 1_780_000_000 + k * 60, end: 1_780_000_000 + k * 60 + 20, message: `change ${k}`, environment: { "git.head": `${k}`.padStart(40, "0") }, resources });
    }
    writeHistory(dir, "prod", steps);
    const bytes = fs.readdirSync(dir).reduce((s, f) => s + fs.statSync(path.join(dir, f)).size, 0);
    const cli = path.join(__dirname, "..", "..", "dist", "cli.js");
    const started = process.hrtime.bigint();
    const out = execFileSync(process.execPath, [cli, "history", "--history-dir", dir, "--format", "json"], { maxBuffer: 1024 * 1024 * 1024, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { seconds, intervals: (JSON.parse(out) as { intervals: unknown[] }).intervals.length, bytes };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
