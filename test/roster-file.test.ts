/**
 * loadRoster: a roster file becomes what AccessGroupRoster takes, or fails as a whole with every
 * problem at its line, column and field.
 */
import * as pulumi from "@pulumi/pulumi";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadRoster, RosterFileError } from "../src/roster/roster-file";
import { SeamFake, startSeamFake } from "./support/seam-fake";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "roster-file-"));
let files = 0;
function write(text: string, ext = "yaml"): string {
  const file = path.join(dir, `roster-${++files}.${ext}`);
  fs.writeFileSync(file, text);
  return file;
}

const lobby = "123e4567-e89b-12d3-a456-426614174000";
const lab = "223e4567-e89b-12d3-a456-426614174000";
const ada = "8d7e0b3a-b889-49a7-9164-4b71a0506a33";
const grace = "2c1f0b3a-b889-49a7-9164-4b71a0506a33";

/** The problems of a file that must fail, as `line:column field: message`. */
function problems(text: string, ext = "yaml"): string[] {
  const file = write(text, ext);
  try {
    loadRoster(file);
  } catch (e) {
    expect(e).toBeInstanceOf(RosterFileError);
    expect((e as Error).message).toMatch(new RegExp(`^Roster file ${file.replace(/[.\\]/g, "\\$&")} has .*; nothing was declared:\n`));
    return (e as RosterFileError).problems.map((p) => `${p.line}:${p.column} ${p.field}: ${p.message}`);
  }
  throw new Error("expected a RosterFileError");
}

describe("a good file", () => {
  test("YAML: each group with its id, members by id named by the id (UUIDs lower-case)", () => {
    const rosters = loadRoster(
      write(`groups:
  lobby:
    acsAccessGroupId: ${lobby.toUpperCase()}
    members:
      - acsUserId: ${ada.toUpperCase()}
      - acsUserId: ${grace}
  lab:
    acsAccessGroupId: ${lab}
    members:
      - acsUserId: acs_user7
`),
    );
    expect(rosters).toEqual({
      lobby: { acsAccessGroupId: lobby, acsUserIds: { [ada]: ada, [grace]: grace } },
      lab: { acsAccessGroupId: lab, acsUserIds: { acs_user7: "acs_user7" } },
    });
  });

  test("JSON: the same schema, the same result", () => {
    const json = JSON.stringify({ groups: { lobby: { acsAccessGroupId: lobby, members: [{ acsUserId: ada }] } } }, null, 2);
    expect(loadRoster(write(json, "json"))).toEqual({ lobby: { acsAccessGroupId: lobby, acsUserIds: { [ada]: ada } } });
  });

  describe("members by email", () => {
    let fake: SeamFake;
    beforeAll(async () => {
      fake = await startSeamFake();
      // The token as a secret, as `pulumi config set --secret` stores it.
      pulumi.runtime.setAllConfig({ "seam:apiKey": fake.apiKey, "seam:endpoint": fake.url }, ["seam:apiKey"]);
    });
    afterAll(() => fake.stop());

    test("are looked up, named by the email in lower case; a failed lookup names the file and line", async () => {
      const hedy = fake.addUser("Hedy Lamarr", undefined, { email: "hedy@example.com" });
      const file = write(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    acsSystemId: ${fake.seed.visionline_acs_system_1}
    members:
      - email: Hedy@Example.com
      - email: nobody@example.com
`);
      const rosters = loadRoster(file);
      const members = rosters.lobby!.acsUserIds as Record<string, Promise<string>>;
      expect(Object.keys(members)).toEqual(["hedy@example.com", "nobody@example.com"]);
      expect(await members["hedy@example.com"]).toBe(hedy);
      await expect(members["nobody@example.com"]).rejects.toThrow(
        `${file}:7:16: groups.lobby.members[1].email: lookupAcsUser: no ACS user has the email nobody@example.com in access system ${fake.seed.visionline_acs_system_1}`,
      );
    });
  });
});

describe("problems, each at its line and field", () => {
  test("a wrong key, at the group and at a member", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    member:
      - acsUserId: ${ada}
    members:
      - acsUserid: ${ada}
`),
    ).toEqual([
      '4:5 groups.lobby.member: unknown key "member"; expected acsAccessGroupId, acsSystemId, members',
      '7:9 groups.lobby.members[0].acsUserid: unknown key "acsUserid"; expected acsUserId, email',
      "7:9 groups.lobby.members[0]: give a member either acsUserId or email (exactly one)",
    ]);
  });

  test("a duplicate member, by id in another spelling and by email in another case", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members:
      - acsUserId: ${ada}
      - email: grace@example.com
      - acsUserId: ${ada.toUpperCase()}
      - email: Grace@Example.com
`),
    ).toEqual([
      `7:20 groups.lobby.members[2].acsUserId: duplicate member: ${ada.toUpperCase()} is already listed at line 5 (members[0])`,
      "8:16 groups.lobby.members[3].email: duplicate member: Grace@Example.com is already listed at line 6 (members[1])",
    ]);
  });

  test("every problem in one run: an invalid email, a missing key and a duplicate member together", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members:
      - acsUserId: ${ada}
      - email: not-an-email
      - acsUserId: ${ada}
  lab:
    members:
      - acsUserId: ${grace}
`),
    ).toEqual([
      "6:16 groups.lobby.members[1].email: is not an email address (expected e.g. ada@example.com)",
      `7:20 groups.lobby.members[2].acsUserId: duplicate member: ${ada} is already listed at line 5 (members[0])`,
      "9:5 groups.lab: acsAccessGroupId is required",
    ]);
  });

  test("a roster file's error is a pulumi.RunError, which a program prints as the message alone", () => {
    const file = write("groups: {}\n");
    expect(() => loadRoster(file)).toThrow(RosterFileError);
    try {
      loadRoster(file);
    } catch (e) {
      expect(pulumi.RunError.isInstance(e)).toBe(true);
    }
  });

  test("an empty group, written as an empty list or as nothing", () => {
    const empty = "lists no members; list at least one (to take everyone this file granted out of the group, delete the group from the file)";
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members: []
  lab:
    acsAccessGroupId: ${lab}
    members:
`),
    ).toEqual([`4:14 groups.lobby.members: ${empty}`, `7:13 groups.lab.members: ${empty}`]);
  });

  test("a malformed email, and one padded with spaces", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members:
      - email: ada@
      - email: " grace@example.com"
`),
    ).toEqual([
      "5:16 groups.lobby.members[0].email: is not an email address (expected e.g. ada@example.com)",
      "6:16 groups.lobby.members[1].email: has leading or trailing whitespace",
    ]);
  });

  test("wrong types and a missing id", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: 42
    members:
      acsUserId: ${ada}
  lab:
    members:
      - acsUserId: [${ada}]
`),
    ).toEqual([
      "3:23 groups.lobby.acsAccessGroupId: must be a string, not a number (42)",
      "5:7 groups.lobby.members: must be a list, not a mapping",
      "7:5 groups.lab: acsAccessGroupId is required",
      "8:20 groups.lab.members[0].acsUserId: must be a string, not a list",
    ]);
  });

  test("an id Seam cannot have, and one group under two names", () => {
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members:
      - acsUserId: "ada lovelace"
  front-door:
    acsAccessGroupId: ${lobby.toUpperCase()}
    members:
      - acsUserId: ${ada}
`),
    ).toEqual([
      "5:20 groups.lobby.members[0].acsUserId: may contain only letters, digits and the characters _ . : -",
      `7:23 groups.front-door.acsAccessGroupId: the group ${lobby.toUpperCase()} is already listed as lobby (line 2); merge the two`,
    ]);
    expect(
      problems(`groups:
  lobby:
    acsAccessGroupId: ${lobby}
    members:
      - acsUserId: ${ada}
  front-door:
    acsAccessGroupId: ${lobby.toUpperCase()}
    members:
      - acsUserId: ${grace}
`),
    ).toEqual([`7:23 groups.front-door.acsAccessGroupId: the group ${lobby.toUpperCase()} is already listed as lobby (line 2); merge the two`]);
  });

  test("not YAML, a key written twice, nothing at all, no groups", () => {
    expect(problems(`groups:\n  lobby: [unclosed\n`)).toEqual([expect.stringMatching(/^3:1 : not valid YAML or JSON: /)]);
    expect(problems(`groups:\n  lobby:\n    acsAccessGroupId: ${lobby}\n    acsAccessGroupId: ${lab}\n    members: []\n`)).toEqual([
      "4:5 : not valid YAML or JSON: Map keys must be unique",
    ]);
    expect(problems(`# nobody yet\n`)).toEqual(["1:1 : the file is empty; it should have groups:"]);
    expect(problems(`groups: {}\n`)).toEqual([
      "1:9 groups: lists no groups; a roster file that declares nothing would revoke everything it ever granted",
    ]);
    expect(problems(`{"groups": {"lobby": {"acsAccessGroupId": "${lobby}", "members": [], "extra": 1}}}`, "json")).toEqual([
      "1:94 groups.lobby.members: lists no members; list at least one (to take everyone this file granted out of the group, delete the group from the file)",
      '1:98 groups.lobby.extra: unknown key "extra"; expected acsAccessGroupId, acsSystemId, members',
    ]);
  });

  test("a file that is not there", () => {
    expect(() => loadRoster(path.join(dir, "missing.yaml"))).toThrow(/^Roster file .*missing\.yaml cannot be read \(there is no such file\); paths are relative to the program's directory\.$/);
  });
});
