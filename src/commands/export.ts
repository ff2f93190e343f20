/**
 * `pulumi-seam-acs export`: writes a roster file (the format `loadRoster` reads) of the current
 * members of the given access groups to stdout, so an existing workspace comes under code in one
 * step. Read-only. Exit codes: 0 ok; 1 bad input (no such group, group in another access system)
 * or Seam unreadable; 2 usage error (thrown as UsageError, reported by cli.ts).
 */
import { runCommand, UsageError, write } from "./usage";
import { parseCommandArgs } from "./parse-options";
import { ExportedGroup, rosterYaml } from "../export/roster-export";
import { canonical, seamIdProblem } from "../provider/inputs";
import { namesSettings } from "../review/names";
import { AcsUser, SeamClient } from "../seam/client";

export const exportUsage = `Usage: pulumi-seam-acs export --group ID [--group ID …] [--acs-system-id ID]

Writes a roster file of who is in the given access groups at Seam now, to stdout: one roster
per group, named from the group's name. A member is written by email where that email names
exactly one ACS user in the group's access system (so loadRoster finds the same person again),
else by acsUserId; names are YAML comments.

  npx pulumi-seam-acs export --group 123e4567-… --group 2b9c8d7e-… > roster.yaml

Declaring this roster adopts the access these people have: the review shows each of them as
"adopted" (no change at the door), and \`pulumi up\` sends an add for each, which changes
nothing at Seam. From then on, removing someone from the file revokes their access.

Options:
  --group ID           an access group (acs_access_group_id) to export (repeatable)
  --acs-system-id ID   the access system the groups belong to: a group in another one is an
                       error; by default each group's own
  -h, --help           show this help

Credentials come from the environment, as the review's: SEAM_API_KEY, or
SEAM_PERSONAL_ACCESS_TOKEN / SEAM_CONSOLE_SESSION_TOKEN with SEAM_WORKSPACE_ID; SEAM_ENDPOINT.
Requests: per group one /acs/access_groups/get and one /acs/access_groups/list_users; per
access system the pages of /acs/users/list (to check that each email names one person).

Exit codes: 0 ok, 1 bad input or Seam could not be read, 2 usage error.
`;

class ExportError extends Error {}

interface Options {
  readonly groups: readonly string[];
  readonly acsSystemId?: string;
}

function parseOptions(argv: string[]): Options | "help" {
  // One frame for every command's options: an unknown one is named, with the list (parse-options.ts).
  const { values, positionals } = parseCommandArgs("export", argv, { group: { type: "string", multiple: true }, "acs-system-id": { type: "string" }, help: { type: "boolean", short: "h" } });
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"; export takes only options.`);
  if (values.help) return "help";
  const groups = [...new Set((values.group ?? []).map(canonical))];
  if (groups.length === 0) throw new UsageError("export needs at least one --group ID (an acs_access_group_id).");
  for (const id of [...groups, ...(values["acs-system-id"] !== undefined ? [values["acs-system-id"]] : [])]) {
    const problem = seamIdProblem(id);
    if (problem) throw new UsageError(`${JSON.stringify(id)} is not a Seam id: it ${problem}.`);
  }
  return { groups, ...(values["acs-system-id"] !== undefined ? { acsSystemId: canonical(values["acs-system-id"]) } : {}) };
}

async function exportRosters(options: Options): Promise<number> {
  let client: SeamClient;
  try {
    client = new SeamClient(namesSettings(process.env));
  } catch (e) {
    throw new ExportError(`${(e as Error).message} Export reads Seam with credentials from the environment.`);
  }
  try {
    const read = await Promise.all(
      options.groups.map(async (id) => {
        const [group, members] = await Promise.all([client.getAccessGroup(id), client.listAccessGroupMembers(id)]);
        if (group === undefined || members === undefined) throw new ExportError(`Seam has no access group ${id} (in the workspace of these credentials).`);
        if (options.acsSystemId !== undefined && group.acsSystemId !== undefined && canonical(group.acsSystemId) !== options.acsSystemId) {
          throw new ExportError(`The access group ${id} (${group.name}) belongs to access system ${group.acsSystemId}, not ${options.acsSystemId}.`);
        }
        return { group, members, system: options.acsSystemId ?? group.acsSystemId };
      }),
    );
    // One listing per access system: whether an email names exactly one person there.
    const systems = new Map<string, Promise<AcsUser[]>>();
    const usersOf = (system: string | undefined) => {
      const key = system ?? "";
      let users = systems.get(key);
      if (!users) systems.set(key, (users = client.listAcsUsers(system === undefined ? {} : { acsSystemId: system })));
      return users;
    };
    const groups: ExportedGroup[] = [];
    for (const { group, members, system } of read) {
      const searchable = members.some((m) => m.email ?? m.userIdentityEmail) ? await usersOf(system) : [];
      groups.push({ acsAccessGroupId: group.acsAccessGroupId, name: group.name, ...(system !== undefined ? { acsSystemId: system } : {}), members, searchable });
    }
    if (groups.every((g) => g.members.length === 0)) {
      throw new ExportError(`None of the ${groups.length} access group${groups.length === 1 ? " has" : "s have"} members at Seam: there is nothing to put in a roster.`);
    }
    const people = groups.reduce((n, g) => n + g.members.length, 0);
    const header =
      `Written by \`pulumi-seam-acs export\` from Seam: ${people} memberships in ${groups.length} access group${groups.length === 1 ? "" : "s"}.\n` +
      "Load it with loadRoster (one AccessGroupRoster per group). Members by email where the email names exactly one\n" +
      "ACS user in the access system, else by id. Removing someone from this file revokes their access at `pulumi up`.";
    await write(process.stdout, rosterYaml(groups, header));
    return 0;
  } finally {
    await client.close();
  }
}

/** Runs `export` with the arguments after the command name; returns the exit code. */
export function runExport(argv: string[]): Promise<number> {
  return runCommand("export", exportUsage, parseOptions(argv), exportRosters, (e) => e instanceof ExportError);
}
