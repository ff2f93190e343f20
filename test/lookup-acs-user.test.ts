/**
 * People by email against Seam's fake (with the list route's search, identity filter and pages
 * as Seam's OpenAPI has them): exactly one match or an error naming the candidates, never a guess.
 */
import * as pulumi from "@pulumi/pulumi";
import { SeamClient } from "../src/seam/client";
import { findAcsUserByEmail, lookupAcsUser } from "../src/roster/lookup-acs-user";
import { SeamFake, startSeamFake } from "./support/seam-fake";
import { fakeSettings } from "./support/settings";

let fake: SeamFake;
let client: SeamClient;
beforeAll(async () => {
  fake = await startSeamFake();
  client = new SeamClient(fakeSettings(fake));
});
afterAll(async () => {
  await client.close();
  await fake.stop();
});

const listRoute = "/acs/users/list";

test("one user with exactly that email, whatever its case; users whose details only contain it are not matches", async () => {
  const ada = fake.addUser("Ada Lovelace", undefined, { email: "Ada@Example.com" });
  fake.addUser("Ada's namesake", undefined, { email: "ada@example.com.au" });
  fake.addUser("Another Ada", undefined, { email: "lovelace.ada@example.com" });
  expect(await findAcsUserByEmail(client, "ada@example.COM")).toEqual({ acsUserId: ada, fullName: "Ada Lovelace", email: "Ada@Example.com" });
});

test("one user whose user identity has that email (Seam's search does not cover it; the identity filter does)", async () => {
  const grace = fake.addUser("Grace Hopper", undefined, { email: "g.hopper@navy.example", userIdentityEmail: "grace@example.com" });
  const found = await findAcsUserByEmail(client, "grace@example.com");
  expect(found).toMatchObject({ acsUserId: grace, userIdentityEmail: "grace@example.com" });
});

test("no match: the error names the email and the near candidates' ids, and suggests what to do", async () => {
  const near = fake.addUser("Alan T", undefined, { email: "alan.turing@example.com" });
  const error = await findAcsUserByEmail(client, "turing@example.com").catch((e: Error) => e);
  expect(error).toBeInstanceOf(Error);
  expect((error as Error).message).toBe(
    `lookupAcsUser: no ACS user has the email turing@example.com; ids of users whose details only contain it: ${near}. ` +
      "Check the address, or give the user by acsUserId.",
  );
  await expect(findAcsUserByEmail(client, "nobody-at-all@example.com")).rejects.toThrow(
    /^lookupAcsUser: no ACS user has the email nobody-at-all@example.com\. Check the address/,
  );
});

test("several matches: an error naming every candidate, never a guess", async () => {
  const first = fake.addUser("Katherine J", undefined, { email: "katherine@example.com" });
  const second = fake.addUser("Katherine Johnson", undefined, { email: "KATHERINE@example.com" });
  const viaIdentity = fake.addUser("K. Johnson", undefined, { email: "kj@nasa.example", userIdentityEmail: "katherine@example.com" });
  const error = (await findAcsUserByEmail(client, "katherine@example.com").catch((e: Error) => e)) as Error;
  expect(error.message).toMatch(/^lookupAcsUser: 3 ACS users have the email katherine@example.com: /);
  for (const id of [first, second, viaIdentity]) expect(error.message).toContain(id);
  expect(error.message).toMatch(/Not guessing which one to give access: give acsSystemId to look in one access system, or give the user by acsUserId\.$/);
  await expect(findAcsUserByEmail(client, "katherine@example.com", fake.seed.visionline_acs_system_1)).rejects.toThrow(
    /have the email katherine@example.com in access system .*: .*Not guessing which one to give access: give the user by acsUserId\.$/,
  );
});

test("follows the list's pages: a match on the second page is found, and counted once", async () => {
  for (let i = 0; i < 500; i++) fake.addUser(`Pager ${i}`, undefined, { email: `${i}.pager@paged.example` });
  const last = fake.addUser("Pager last", undefined, { email: "pager@paged.example" });
  const before = fake.requests.length;
  expect((await findAcsUserByEmail(client, "pager@paged.example")).acsUserId).toBe(last);
  const searches = fake.requests.slice(before).filter((r) => r.path === listRoute && (r.body as { search?: string }).search !== undefined);
  expect(searches.map((r) => (r.body as { page_cursor?: string }).page_cursor === undefined)).toEqual([true, false]);
});

describe("lookupAcsUser, as a program calls it", () => {
  beforeAll(() => {
    // The program's stack config, as the language host hands it over.
    // (the token as a secret, as `pulumi config set --secret` stores it).
    pulumi.runtime.setAllConfig({ "seam:apiKey": fake.apiKey, "seam:endpoint": fake.url }, ["seam:apiKey"]);
  });

  test("credentials from the stack config; each email is looked up once per run, however it is spelled", async () => {
    const hedy = fake.addUser("Hedy Lamarr", undefined, { email: "hedy@example.com" });
    const before = fake.requests.length;
    const found = await Promise.all([lookupAcsUser({ email: "hedy@example.com" }), lookupAcsUser({ email: "Hedy@Example.com" })]);
    expect(await lookupAcsUser({ email: "HEDY@example.com" })).toBe(found[0]);
    expect(found.map((u) => u.acsUserId)).toEqual([hedy, hedy]);
    const sent = fake.requests.slice(before).filter((r) => r.path === listRoute);
    expect(sent).toHaveLength(2); // one search, one identity filter
    expect(sent.every((r) => r.headers.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
  });

  test("two stacks in one process (two workspaces): each gets its own workspace's user, under its own credential", async () => {
    const inOne = fake.addUser("Twin One", fake.seed.seed_workspace_1, { email: "twin@example.com" });
    const inTwo = fake.addUser("Twin Two", fake.seed.seed_workspace_2, { email: "twin@example.com" });
    const asWorkspace = async (apiKey: string) => {
      pulumi.runtime.setConfig("seam:apiKey", apiKey);
      const before = fake.requests.length;
      const found = await lookupAcsUser({ email: "twin@example.com" });
      return { id: found.acsUserId, sent: fake.requests.slice(before).filter((r) => r.path === listRoute).map((r) => r.headers.authorization) };
    };
    try {
      expect(await asWorkspace(fake.apiKey)).toEqual({ id: inOne, sent: [`Bearer ${fake.apiKey}`, `Bearer ${fake.apiKey}`] });
      expect(await asWorkspace(fake.seed.seam_apikey2_token!)).toEqual({
        id: inTwo,
        sent: [`Bearer ${fake.seed.seam_apikey2_token}`, `Bearer ${fake.seed.seam_apikey2_token}`],
      });
      // Each stays cached under its own settings: asked again, nothing is sent.
      expect(await asWorkspace(fake.apiKey)).toEqual({ id: inOne, sent: [] });
      expect(await asWorkspace(fake.seed.seam_apikey2_token!)).toEqual({ id: inTwo, sent: [] });
    } finally {
      pulumi.runtime.setConfig("seam:apiKey", fake.apiKey);
    }
  });

  test("a failed lookup is not kept: once the user exists (or Seam recovers), the next ask finds them", async () => {
    await expect(lookupAcsUser({ email: "newcomer@example.com" })).rejects.toThrow(/no ACS user has the email newcomer@example.com/);
    const newcomer = fake.addUser("Newcomer", undefined, { email: "newcomer@example.com" });
    expect((await lookupAcsUser({ email: "newcomer@example.com" })).acsUserId).toBe(newcomer);

    const outage = await fake.duringOutage(listRoute, { kind: "status", status: 401, body: '{"error":{"type":"unauthorized","message":"no"}}' }, {}, () =>
      lookupAcsUser({ email: "outage@example.com" }).catch((e: Error) => e),
    );
    expect(outage).toBeInstanceOf(Error);
    const found = fake.addUser("After the outage", undefined, { email: "outage@example.com" });
    expect((await lookupAcsUser({ email: "outage@example.com" })).acsUserId).toBe(found);
  });

  test.each([
    ["ada@", /lookupAcsUser: email "ada@" is not an email address \(expected e\.g\. ada@example\.com\)\./],
    [" ada@example.com", /has leading or trailing whitespace/],
    [42, /lookupAcsUser: email 42 must be a string\./],
  ])("a malformed email %j fails without a request", async (email, message) => {
    const before = fake.requests.length;
    await expect(lookupAcsUser({ email } as never)).rejects.toThrow(message);
    expect(fake.requests.length).toBe(before);
  });
});
