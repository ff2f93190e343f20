/**
 * `pulumi-seam-acs dev-server`: a local Seam to run your own program against (Seam's fake plus
 * the routes this package adds: src/dev-seam/). Seeded from a small YAML file of users and groups;
 * prints the endpoint, the API key, the ids, and the two `pulumi config set` lines that point a
 * stack at it. Runs until interrupted; everything lives in memory.
 * Exit codes: 0 stopped by Ctrl-C / SIGTERM; 1 the seed file or the fake is missing, or the port is taken; 2 usage.
 */
import { parseCommandArgs } from "./parse-options";
import { UsageError, write } from "./usage";
import { startSeamDouble } from "../dev-seam/seam-double";
import { applySeed, defaultSeed, readSeedFile, Seeded } from "../dev-seam/seed-file";

/** The port the docs use; `--port 0` picks a free one. */
export const defaultDevPort = 4010;

export const devServerUsage = `Usage: pulumi-seam-acs dev-server [options]

Starts a local Seam (Seam's fake, @seamapi/fake-seam-connect, plus the routes this package uses)
for trying a program without a Seam workspace. Prints the endpoint, the API key and the ids, and
the \`pulumi config set\` lines to use them. Stops with Ctrl-C; nothing is kept.

Options:
  --seed FILE     users and groups to create (YAML or JSON); default: ada, grace, alan; lobby, lab
  --port N        port to listen on (default ${defaultDevPort}; 0 picks a free one)
  -h, --help      show this help

Seed file:
  users:
    ada: { fullName: Ada Lovelace, email: ada@example.com }
  entrances:
    front: { name: Front door }
  groups:
    lobby: { name: Lobby, members: [ada], entrances: [front] }   # members: already in the group;
                                                                   # entrances: the doors it opens

Needs @seamapi/fake-seam-connect installed next to pulumi-seam-acs (npm install --save-dev @seamapi/fake-seam-connect).
`;

export async function runDevServer(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs("dev-server", argv, {
    seed: { type: "string" },
    port: { type: "string" },
    help: { type: "boolean", short: "h" },
  });
  if (values.help) {
    await write(process.stdout, devServerUsage);
    return 0;
  }
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; pass the seed file with --seed FILE.`);
  const port = values.port === undefined ? defaultDevPort : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port takes a port number (0 to 65535), not "${values.port}".`);

  let seam;
  try {
    const seed = values.seed === undefined ? defaultSeed : readSeedFile(values.seed);
    seam = await startSeamDouble({ port });
    const seeded = await applySeed(seam, seed);
    await write(process.stdout, banner(seam.url, seam.apiKey, seeded));
  } catch (e) {
    await seam?.stop();
    const err = e as NodeJS.ErrnoException;
    const message = err.code === "EADDRINUSE" ? `port ${port} is in use; pass --port with another (0 picks a free one).` : err.message;
    process.stderr.write(`pulumi-seam-acs dev-server: ${message}\n`);
    return 1;
  }
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await seam.stop();
  return 0;
}

/** What a user needs to point a stack (and the review) at the local Seam. */
export function banner(url: string, apiKey: string, seeded: Seeded): string {
  const table = (rows: Record<string, string>) => {
    const width = Math.max(0, ...Object.keys(rows).map((k) => k.length));
    return Object.entries(rows).map(([k, id]) => `  ${k.padEnd(width)}  ${id}`).join("\n") || "  (none)";
  };
  return [
    `Local Seam (Seam's fake; nothing real is touched) at ${url}`,
    `API key: ${apiKey}`,
    "",
    "ACS users (acs_user_id):",
    table(seeded.users),
    "Access groups (acs_access_group_id):",
    table(seeded.groups),
    ...(Object.keys(seeded.entrances).length > 0 ? ["Entrances (acs_entrance_id):", table(seeded.entrances)] : []),
    "",
    "Point a stack at it:",
    `  pulumi config set seam:endpoint ${url}`,
    `  pulumi config set --secret seam:apiKey ${apiKey}`,
    "For `pulumi-seam-acs review`, in the shell:",
    `  export SEAM_ENDPOINT=${url} SEAM_API_KEY=${apiKey}`,
    "",
    "Ctrl-C stops it; everything lives in memory.",
    "",
  ].join("\n");
}
