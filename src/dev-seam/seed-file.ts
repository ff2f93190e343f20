/**
 * What a local Seam starts with: users and access groups from a small YAML (or JSON) file, each
 * under a short name of your choosing, so the ids it prints can be matched to people.
 *
 * ```yaml
 * users:
 *   ada: { fullName: Ada Lovelace, email: ada@example.com }
 *   grace: { fullName: Grace Hopper }
 * entrances:
 *   front: { name: Front door }
 *   garage: { name: Garage gate }
 * groups:
 *   lobby: { name: Lobby, members: [ada], entrances: [front] }   # members: already in the group (added outside Pulumi)
 *   staff: { name: Staff, entrances: [front, garage] }            # entrances: the doors the group opens
 * ```
 */
import fs from "node:fs";
import { parse } from "yaml";
import { z } from "zod";
import { emailProblem } from "../roster/email";
import type { SeamDouble } from "./seam-double";

const name = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]*$/, { error: "names are letters, digits and _ . -" });
const user = z.strictObject({
  fullName: z.string().min(1).optional(),
  email: z
    .string()
    .refine((e) => emailProblem(e) === undefined, { error: "is not an email address" })
    .optional(),
});
const group = z.strictObject({ name: z.string().min(1).optional(), members: z.array(name).optional(), entrances: z.array(name).optional() });
const entrance = z.strictObject({ name: z.string().min(1).optional() });
const seedFile = z.strictObject({
  users: z.record(name, user.nullable()).optional(),
  entrances: z.record(name, entrance.nullable()).optional(),
  groups: z.record(name, group.nullable()).optional(),
});

export type Seed = z.infer<typeof seedFile>;

/** The seed used without a file: three people, two groups, and the doors they open (the Front door through either). */
export const defaultSeed: Seed = {
  users: {
    ada: { fullName: "Ada Lovelace", email: "ada@example.com" },
    grace: { fullName: "Grace Hopper", email: "grace@example.com" },
    alan: { fullName: "Alan Turing", email: "alan@example.com" },
  },
  entrances: { front: { name: "Front door" }, labDoor: { name: "Lab door" } },
  groups: { lobby: { name: "Lobby", entrances: ["front"] }, lab: { name: "Lab", entrances: ["front", "labDoor"] } },
};

/** Reads and checks a seed file; throws an Error listing every problem with its field. */
export function readSeedFile(file: string): Seed {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Seed file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)}).`);
  }
  let data: unknown;
  try {
    data = parse(text) ?? {};
  } catch (e) {
    throw new Error(`Seed file ${file} is not valid YAML or JSON: ${(e as Error).message.split("\n")[0]}`);
  }
  const parsed = seedFile.safeParse(data);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.map(String).join(".") || "(top)"}: ${i.message}`);
  if (parsed.success) {
    for (const [g, spec] of Object.entries(parsed.data.groups ?? {})) {
      // A name given with no details (`bob:`) is there all the same.
      for (const m of spec?.members ?? []) if (!Object.hasOwn(parsed.data.users ?? {}, m)) problems.push(`groups.${g}.members: no user named ${m} under users`);
      for (const e of spec?.entrances ?? []) if (!Object.hasOwn(parsed.data.entrances ?? {}, e)) problems.push(`groups.${g}.entrances: no entrance named ${e} under entrances`);
    }
  }
  if (problems.length > 0) throw new Error(`Seed file ${file} has ${problems.length === 1 ? "a problem" : `${problems.length} problems`}:\n${problems.map((p) => `  ${p}`).join("\n")}`);
  return parsed.data!;
}

export interface Seeded {
  /** Name in the seed → acs_user_id. */
  readonly users: Readonly<Record<string, string>>;
  /** Name in the seed → acs_access_group_id. */
  readonly groups: Readonly<Record<string, string>>;
  /** Name in the seed → acs_entrance_id. */
  readonly entrances: Readonly<Record<string, string>>;
}

/**
 * Creates the seed's users and groups in the local Seam, then adds the memberships it lists
 * through Seam's own route (`/acs/users/add_to_access_group`), as a person in the console would.
 */
export async function applySeed(seam: SeamDouble, seed: Seed): Promise<Seeded> {
  const users: Record<string, string> = {};
  for (const [key, spec] of Object.entries(seed.users ?? {})) {
    users[key] = seam.addUser(spec?.fullName ?? key, undefined, spec?.email ? { email: spec.email } : {});
  }
  const groups: Record<string, string> = {};
  for (const [key, spec] of Object.entries(seed.groups ?? {})) groups[key] = seam.addGroup(spec?.name ?? key);
  const entrances: Record<string, string> = {};
  for (const [key, spec] of Object.entries(seed.entrances ?? {})) entrances[key] = seam.addEntrance(spec?.name ?? key);
  for (const [key, spec] of Object.entries(seed.groups ?? {})) {
    if (spec?.entrances) seam.setGroupEntrances(groups[key]!, spec.entrances.map((e) => entrances[e]!));
  }
  for (const [key, spec] of Object.entries(seed.groups ?? {})) {
    for (const member of spec?.members ?? []) {
      const res = await fetch(`${seam.url}/acs/users/add_to_access_group`, {
        method: "POST",
        headers: { authorization: `Bearer ${seam.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ acs_user_id: users[member], acs_access_group_id: groups[key] }),
      });
      if (!res.ok) throw new Error(`Seeding ${member} into ${key} failed: HTTP ${res.status} ${await res.text()}`);
    }
  }
  return { users, groups, entrances };
}
