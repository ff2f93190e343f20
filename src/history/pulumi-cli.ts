/**
 * Runs the `pulumi` CLI for the history, as `audit --stack` does: in the current directory (the
 * program's), with the caller's environment and Pulumi login. Only reading commands are run
 * (`whoami`, `stack history`, `stack export`): nothing is written to a stack.
 */
import { execFile } from "node:child_process";
import { AuditInputError } from "../audit/stack-state";

/** Runs `pulumi <args> --non-interactive` and resolves to its stdout; rejects with AuditInputError naming the command and Pulumi's first error line. */
export type PulumiRun = (args: readonly string[]) => Promise<string>;

export const runPulumi: PulumiRun = (args) =>
  new Promise((resolve, reject) => {
    execFile("pulumi", [...args, "--non-interactive"], { maxBuffer: 512 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (!error) return resolve(stdout);
      const why =
        (error as NodeJS.ErrnoException).code === "ENOENT"
          ? "the pulumi CLI is not on PATH"
          : (stderr.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? error.message).replace(/^error: /, "");
      reject(new AuditInputError(`\`pulumi ${args.join(" ")}\` failed: ${why}`));
    });
  });
