/**
 * Where a stack's history comes from, chosen from the backend `pulumi whoami --json` reports
 * (run where `audit --stack` runs its exports: the program's directory, the caller's login):
 *  - `file://` (a DIY backend on this machine): its history files (diy-files.ts), read directly;
 *    the CLI's `stack export --version` refuses such a backend, and its `stack history` numbers
 *    every update 0.
 *  - any other backend: `stack history` and `stack export --version N` (exported-versions.ts).
 *    A bucket backend (s3://, gs://, azblob://) refuses `export --version` as a DIY backend does:
 *    copy its `.pulumi/history/<project>/<stack>/` prefix to a directory and pass --history-dir.
 * `pulumi stack history` runs first in every case, so a stack that does not exist fails there
 * with Pulumi's own message.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import { AuditInputError } from "../audit/stack-state";
import { diyHistoryDir, readDiyHistory } from "./diy-files";
import { readExportedHistory } from "./exported-versions";
import type { HistoryStep } from "./intervals";
import type { PulumiRun } from "./pulumi-cli";

export interface StackHistory {
  /** The stack as the output names it: `<project>/<stack>` (as audit names it), else what was given. */
  readonly stack: string;
  /** What the history was read from, for the reader: a directory or the CLI's exports. */
  readonly source: string;
  readonly steps: readonly HistoryStep[];
}

/** The local directory of a `file://` backend URL (`file://~` is the home directory, as Pulumi reads it). */
export function fileBackendRoot(url: string): string {
  const rest = url.slice("file://".length);
  if (rest === "~" || rest.startsWith("~/")) return path.join(os.homedir(), rest.slice(1));
  return url.startsWith("file:///") ? fileURLToPath(url.split("?")[0]!) : path.resolve(rest.split("?")[0]!);
}

/** The project of a stack reference: `org/project/stack` names it; otherwise the Pulumi.yaml at or above `cwd`. */
export function projectOf(stackRef: string, cwd: string = process.cwd()): { project: string; stack: string } {
  const parts = stackRef.split("/");
  if (parts.length === 3) return { project: parts[1]!, stack: parts[2]! };
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
      const p = path.join(dir, file);
      if (fs.existsSync(p)) {
        const name = (parseYaml(fs.readFileSync(p, "utf8")) as { name?: unknown } | null)?.name;
        if (typeof name === "string" && name !== "") return { project: name, stack: parts.at(-1)! };
      }
    }
    if (path.dirname(dir) === dir) break;
  }
  throw new AuditInputError(`Cannot tell the project of stack ${stackRef}: no Pulumi.yaml here or above; run in the program's directory or name the stack organization/project/stack.`);
}

/** The history of one `--stack` (see the file comment for the source). */
export async function readStackHistory(run: PulumiRun, stackRef: string): Promise<StackHistory> {
  // Fails with Pulumi's message for a stack that does not exist (or a backend that cannot be reached).
  await run(["stack", "history", "--stack", stackRef, "--output", "json", "--page-size", "1"]);
  const whoami = await run(["whoami", "--json"]);
  let url: string;
  try {
    url = String((JSON.parse(whoami) as { url?: unknown }).url ?? "");
  } catch {
    throw new AuditInputError("`pulumi whoami --json` did not print JSON.");
  }
  if (url.startsWith("file://")) {
    const { project, stack } = projectOf(stackRef);
    const dir = diyHistoryDir(fileBackendRoot(url), project, stack);
    const read = readDiyHistory(dir);
    return { stack: read.stack ?? `${project}/${stack}`, source: dir, steps: read.steps };
  }
  if (/^(s3|gs|azblob):\/\//.test(url)) {
    throw new AuditInputError(
      `The backend ${url.split("?")[0]} keeps the history as files it cannot export by version: copy the stack's ` +
        `.pulumi/history/<project>/<stack>/ files to a directory (e.g. \`aws s3 sync\`) and pass --history-dir DIR.`,
    );
  }
  const read = await readExportedHistory(run, stackRef).catch((e: Error) => {
    if (!/does not provide the ability to export previous deployments/.test(e.message)) throw e;
    throw new AuditInputError(`${e.message}. This backend cannot export old versions; if it keeps DIY history files, copy the stack's .pulumi/history/<project>/<stack>/ files to a directory and pass --history-dir DIR.`);
  });
  return { stack: read.stack ?? stackRef, source: "pulumi stack export --version", steps: read.steps };
}

/** The history in a directory of DIY history files (--history-dir): a file backend's, or a bucket's copied here. */
export function readHistoryDir(dir: string): StackHistory {
  if (!fs.existsSync(dir)) throw new AuditInputError(`--history-dir ${dir}: no such directory.`);
  const read = readDiyHistory(dir);
  return { stack: read.stack ?? path.basename(path.resolve(dir)), source: dir, steps: read.steps };
}
