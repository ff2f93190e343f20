/**
 * Runs the package's own command as a user has it after `npm install`: the consumer project's
 * `node_modules/.bin/pulumi-seam-acs` (the packed package's `bin`), in a child process with a
 * clean environment (no SEAM_* variables unless a test passes them).
 */
import { spawn } from "node:child_process";
import path from "node:path";
import { nodeBinDir } from "./consumer";
import type { RunResult } from "./pulumi";

export function reviewBin(): string {
  const consumer = process.env.SEAM_ACS_TEST_CONSUMER;
  if (!consumer) throw new Error("test/global-setup.ts did not run: no consumer project");
  return path.join(consumer, "node_modules", ".bin", "pulumi-seam-acs");
}

export function runReview(args: string[], options: { stdin?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(reviewBin(), args, {
      ...(options.cwd ? { cwd: options.cwd } : {}),
      env: { PATH: [nodeBinDir, process.env.PATH].join(path.delimiter), HOME: process.env.HOME, ...options.env },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => (stdout += d));
    child.stderr.setEncoding("utf8").on("data", (d: string) => (stderr += d));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? 1, stdout, stderr }));
    // A child that exits before reading everything closes the pipe; that is its answer, not ours.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.stdin ?? "");
  });
}

/**
 * Like the default test program, plus `after`: the entry's user id waits for another
 * membership's `workspaceId` output, which is not known while that membership is being created,
 * so the preview shows the id as unknown (as an id taken from another resource's output would be).
 */
export const reviewProgram = `
const pulumi = require("@pulumi/pulumi");
const { AccessGroupMembership } = require("pulumi-seam-acs");
const entries = new pulumi.Config().getObject("memberships") || [];
const byName = {};
for (const m of entries) {
  const acsUserId = m.after ? byName[m.after].workspaceId.apply(() => m.acsUserId) : m.acsUserId;
  byName[m.name] = new AccessGroupMembership(m.name, { acsUserId, acsAccessGroupId: m.acsAccessGroupId });
}
`;
