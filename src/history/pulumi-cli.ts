/**
 * The history's way to run the `pulumi` CLI: the one reader of audit and the review
 * (src/audit/read-stack.ts), in the current directory with the caller's environment and login.
 * Only reading commands are run (`whoami`, `stack history`, `stack export`).
 */
import { runPulumi as run } from "../audit/read-stack";

/** Runs `pulumi <args> --non-interactive` and resolves to its stdout; rejects with an AuditInputError naming the command and Pulumi's first error line. */
export type PulumiRun = (args: readonly string[]) => Promise<string>;

export const runPulumi: PulumiRun = (args) => run(args);
