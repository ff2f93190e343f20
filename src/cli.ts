#!/usr/bin/env node
/**
 * `pulumi-seam-acs`: the package's command. Each subcommand lives in src/commands/<name>.ts and
 * returns its exit code (0 ok, 1 bad input or failure, 3 a guard tripped); this file only
 * dispatches and reports usage errors (exit 2).
 */
// First: an old Node.js ends here with the versions, before undici loads.
import "./commands/supported-node";
import { runAudit } from "./commands/audit";
import { runDevServer } from "./commands/dev-server";
import { runExport } from "./commands/export";
import { runHistory } from "./commands/history";
import { runReview } from "./commands/review";
import { UsageError, write } from "./commands/usage";

/** Subcommand name → runner (the arguments after the name → exit code). */
const commands: Readonly<Record<string, (argv: string[]) => Promise<number>>> = {
  review: runReview,
  audit: runAudit,
  export: runExport,
  history: runHistory,
  "dev-server": runDevServer,
};

const usage = `Usage: pulumi-seam-acs <command> [options]

Commands:
  review      who gains and who loses access in a \`pulumi preview --json\`, in names; a guard
  audit       a stack's state against who is in its access groups at Seam now (read-only)
  export      a roster file of who is in access groups at Seam now (read-only)
  history     who held which access group over a stack's updates, and when; who held it at an instant
  dev-server  a local Seam (Seam's fake) for trying a program, seeded from a YAML file

Run \`pulumi-seam-acs <command> --help\` for a command's options.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === "-h" || command === "--help") {
      await write(process.stdout, usage);
      return 0;
    }
    if (command === undefined) throw new UsageError(`no command given; the commands are ${Object.keys(commands).join(", ")}.`);
    const run = commands[command];
    if (!run) throw new UsageError(`unknown command "${command}"; the commands are ${Object.keys(commands).join(", ")}.`);
    return await run(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`pulumi-seam-acs: ${e.message}\nRun \`pulumi-seam-acs --help\` for usage.\n`);
    return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`pulumi-seam-acs: ${(e as Error).message ?? String(e)}\n`);
    process.exitCode = 1;
  },
);
