/**
 * Interrupting a real `pulumi up` the way people do (Ctrl-C in a terminal, a CI runner's cancel):
 * the CLI started in its own process group, signals to that group, and the cleanup of processes a
 * killed run leaves behind. Shared by the engine-option tests of the dynamic and the native types.
 */
import { ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import type { PulumiProject } from "./pulumi";

export interface RunningUp {
  readonly child: ChildProcess;
  /** stdout and stderr so far, interleaved. */
  output(): string;
  /** The CLI's exit code (null when a signal ended it). */
  readonly exited: Promise<number | null>;
}

/** `pulumi up --yes --skip-preview` (plus `extra` flags) in its own process group, as a terminal or CI runner starts it. */
export function startUp(p: PulumiProject, extra: string[] = []): RunningUp {
  const child = spawn("pulumi", ["up", "--yes", "--skip-preview", ...extra, "--non-interactive", "--color=never"], {
    cwd: p.dir,
    env: p.commandEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let text = "";
  child.stdout!.on("data", (d) => (text += d));
  child.stderr!.on("data", (d) => (text += d));
  return { child, output: () => text, exited: new Promise((resolve) => child.on("exit", (code) => resolve(code))) };
}

/** Polls `condition` every 100 ms; throws naming `what` after `ms` milliseconds. */
export async function until(condition: () => boolean, what: string, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** SIGKILL to the process group `pid` leads (a no-op when it is gone). */
export function killGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** SIGKILL to one process (a no-op when it is gone). */
export function killProcess(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/** Processes whose working directory is `dir`: the ones a test's CLI run started there. */
export function processesIn(dir: string): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readlinkSync(`/proc/${entry}/cwd`) === dir) pids.push(Number(entry));
    } catch {
      // gone, or not ours to read
    }
  }
  return pids;
}
