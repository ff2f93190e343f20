/**
 * Seam refusing the credentials in a read or delete (src/provider/refused-credentials.ts): which
 * message for which credentials and run, said once per process, and what the dynamic provider host
 * prints beside it. The engine suite (credential-rotation.test.ts) shows the same through the CLI.
 */
import { SeamApiError } from "../src/seam/errors";
import { CredentialRefusals, CredentialsRefusedError, RefusalContext } from "../src/provider/refused-credentials";
import { tokenSetting } from "../src/seam/settings";

const refused = (status: number) =>
  new SeamApiError({ route: "/workspaces/get", operation: "Reading the workspace of the Seam credentials", subject: {}, status, type: "unauthorized", attempts: 1 });
const subject = "AccessGroupMembership delete (acs_user_id=u1 acs_access_group_id=g1)";

async function caught(refusals: CredentialRefusals, context: RefusalContext, error: unknown, what = subject): Promise<Error> {
  try {
    await refusals.during(what, () => context, () => Promise.reject(error));
  } catch (e) {
    return e as Error;
  }
  throw new Error("did not throw");
}

test("the stored credentials of a run without the program: says so, and what to run", async () => {
  const e = await caught(new CredentialRefusals(), { auth: { mode: "apiKey", source: "stack config" }, programRan: false }, refused(401));
  expect(e).toBeInstanceOf(CredentialsRefusedError);
  expect(e.message).toMatch(/^AccessGroupMembership delete \(acs_user_id=u1 acs_access_group_id=g1\): Seam refused the credentials \(seam:apiKey\) that the engine used/);
  expect(e.message).toContain("If this run ran the program (`pulumi up`, or --run-program), the stack config's own credentials were refused");
  expect(e.message).toContain("stored with the stack's last update");
  expect(e.message).toContain("run `pulumi up` first");
  expect(e.message).toContain("`pulumi destroy --run-program` or `pulumi refresh --run-program`");
  expect(e.message).toContain("HTTP 401 unauthorized");
  // What the host writes to stderr (`${e}: ${e.stack}`): short, without the explanation or a frame.
  expect(`${e}: ${e.stack}`).toBe(`${subject}: Seam refused the credentials (HTTP 401); the resource's error says what to run`);
});

test.each<[string, RefusalContext, RegExp]>([
  ["resources were checked (an up): the stack config as it is now", { auth: { mode: "personalAccessToken", source: "stack config" }, programRan: true }, /Seam refused the credentials of the stack config \(seam:personalAccessToken\)\. Set valid ones with `pulumi config set --secret seam:personalAccessToken <token>`/],
  ["a token from the environment", { auth: { mode: "apiKey", source: "environment" }, programRan: false }, /Seam refused the credentials from the environment \(SEAM_API_KEY\); the stack config sets no token/],
])("%s", async (_name, context, message) => {
  const e = await caught(new CredentialRefusals(), context, refused(403));
  expect(e.message).toMatch(message);
  expect(e.message).not.toContain("stored with the stack's last update");
});

test("said once per process: later refusals point to the first; other errors pass through untouched", async () => {
  const refusals = new CredentialRefusals();
  const context: RefusalContext = { auth: { mode: "apiKey", source: "stack config" }, programRan: false };
  const other = new SeamApiError({ route: "/acs/users/remove_from_access_group", operation: "Removing", subject: {}, status: 404, attempts: 1 });
  expect(await caught(refusals, context, other)).toBe(other);
  const plain = new Error("workspace mismatch");
  expect(await caught(refusals, context, plain)).toBe(plain);
  await caught(refusals, context, refused(401));
  const second = await caught(refusals, context, refused(401), "AccessGroupRoster read (acs_access_group_id=g2)");
  expect(second.message).toBe(
    `AccessGroupRoster read (acs_access_group_id=g2): Seam refused the same credentials as for ${subject}; that error says what to run. It stays in the state as it was.`,
  );
});

test("tokenSetting names where the token was set, never the token", () => {
  expect(tokenSetting({ mode: "apiKey", source: "stack config" })).toBe("seam:apiKey");
  expect(tokenSetting({ mode: "consoleSessionToken", source: "environment" })).toBe("SEAM_CONSOLE_SESSION_TOKEN");
});
