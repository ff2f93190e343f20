/**
 * The one stack reader: a stack's state through the pulumi CLI, by name, from any directory.
 * Used by `audit --stack`, `review --also-stack` and every command that reads a stack by name.
 *
 * A stack name is `STACK` or `ORG/STACK` (a stack of the project in the current directory, as the
 * CLI reads it), or fully qualified `ORG/PROJECT/STACK` (`organization/PROJECT/STACK` with a DIY
 * backend such as `file://`): a stack of any project. Measured with the pinned CLI (v3.274.1) on
 * a `file://` backend: `pulumi stack export --stack organization/P/S` reads the stack from any
 * directory, inside another project's or in none; a bare name outside a project fails ("no
 * Pulumi.yaml project file found; … pass the fully qualified stack name"). A stack's config is
 * another matter: `pulumi config --stack organization/P/S` reads the Pulumi.S.yaml of the
 * current directory's project, so in another project's directory it answers `{}` and outside one
 * it fails; stackLocation says whether the config is here. The login and secrets settings come
 * from the caller's environment (PULUMI_BACKEND_URL or `pulumi login`, PULUMI_HOME,
 * PULUMI_ACCESS_TOKEN, PULUMI_CONFIG_PASSPHRASE).
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { AuditInputError, readStackState, StackState } from "./stack-state";

/** The pulumi CLI could not run a command for the stack: the message says which command and why. */
export class StackCommandError extends AuditInputError {}

export interface StackCommandOptions {
  /** Default: this process's environment. */
  readonly env?: NodeJS.ProcessEnv;
  /** The directory the CLI runs in, where a bare or `ORG/STACK` name is resolved (its project); default: process.cwd(). */
  readonly cwd?: string;
}

/** Where a stack name is read: its project (when the name or the directory says), and whether that is the directory's own. */
export interface StackLocation {
  /** The name's project: PROJECT of `ORG/PROJECT/STACK`, else the current directory's project (undefined outside one). */
  readonly project?: string;
  /** True when the CLI resolves the name in the given directory: the stack is of its project (its config is there). */
  readonly inCurrentProject: boolean;
}

/**
 * Whether `name` is a stack of the project that holds `cwd` (found upwards, as the CLI finds
 * `Pulumi.yaml` / `Pulumi.yml`), and which project it is of. A name the CLI cannot take is the
 * CLI's to report (runForStack).
 */
export function stackLocation(name: string, cwd: string = process.cwd()): StackLocation {
  const parts = name.split("/");
  const here = projectOf(cwd);
  // A project file whose name cannot be read (null) is the CLI's to report, in its own words.
  if (parts.length < 3) return { ...(here ? { project: here } : {}), inCurrentProject: here !== undefined };
  return { project: parts[1]!, inCurrentProject: here === parts[1] };
}

/**
 * Runs `pulumi ARGS --stack NAME --non-interactive` in `options.cwd` and returns its stdout.
 * `args` is the command without `--stack` (e.g. `["stack", "export"]`). Rejects with a
 * StackCommandError that names the command and the CLI's first error line (never a secret: the
 * CLI does not print them).
 */
export function runForStack(name: string, args: readonly string[], options: StackCommandOptions = {}): Promise<string> {
  return runPulumi([...args, "--stack", name], options);
}

/**
 * Runs `pulumi ARGS --non-interactive` (a reading command: `stack export`, `stack history`,
 * `whoami`, `config`) in `options.cwd` with the caller's login, and resolves to its stdout (up to
 * 512 MiB). Rejects with a StackCommandError naming the command and the CLI's first error line.
 */
export function runPulumi(args: readonly string[], options: StackCommandOptions = {}): Promise<string> {
  const command = `pulumi ${args.join(" ")}`;
  return new Promise<string>((resolve, reject) => {
    execFile(
      "pulumi",
      [...args, "--non-interactive"],
      { cwd: options.cwd ?? process.cwd(), env: options.env ?? process.env, maxBuffer: 512 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        // The CLI's own words, without its "error: " prefix (the message already says it failed).
        const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the pulumi CLI is not on PATH" : firstLine(stderr).replace(/^error: /, "") || error.message;
        reject(new StackCommandError(`\`${command}\` failed: ${why}`));
      },
    );
  });
}

/**
 * The state of stack `name` (`STACK`, `ORG/STACK`, or `ORG/PROJECT/STACK` of any project, from any
 * directory), read with `pulumi stack export` and parsed as stack-state.ts reads an export:
 * `{ stack: "<project>/<stack>", source: "stack NAME", resources }`. Rejects with StackCommandError
 * when the CLI fails (no such stack, no login, not on PATH), AuditInputError when it prints no stack export.
 */
export async function readStack(name: string, options: StackCommandOptions = {}): Promise<StackState> {
  return readStackState(await runForStack(name, ["stack", "export"], options), `stack ${name}`);
}

/** The `name:` of the Pulumi.yaml (or .yml) in `dir` or the nearest directory above; undefined when there is none, null when it names none. */
function projectOf(dir: string): string | null | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    for (const file of ["Pulumi.yaml", "Pulumi.yml"]) {
      let text: string;
      try {
        text = fs.readFileSync(path.join(d, file), "utf8");
      } catch {
        continue;
      }
      try {
        const name = (parse(text) as { name?: unknown } | null)?.name;
        return typeof name === "string" && name !== "" ? name : null;
      } catch {
        return null;
      }
    }
    if (path.dirname(d) === d) return undefined;
  }
}

function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}
