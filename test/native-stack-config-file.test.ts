/**
 * How the native provider finds the clear-text values of the project's config files
 * (src/native/stack-config-file.ts), on real files in a temporary project, and the refusal it leads
 * to (src/native/provider-config.ts) for a token the engine sends marked secret.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { plaintextTokenRefusal, providerIdentity } from "../src/native/provider-config";
import { plainConfigValues, stackOfUrn } from "../src/native/stack-config-file";

const secret = (value: string) => ({ "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value });
const token = "seam_test_token_123";
const secure = "    secure: v1:abc\n";

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "seam-stack-config-"));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test("the stack comes from the URN", () => {
  expect(stackOfUrn("urn:pulumi:dev::site::pulumi:providers:seam::default")).toBe("dev");
  expect(stackOfUrn("")).toBeUndefined();
});

test("a plain string in Pulumi.<stack>.yaml is found; a secure value is not", () => {
  const dir = project({
    "Pulumi.yaml": "name: site\nruntime: yaml\n",
    "Pulumi.dev.yaml": `config:\n  seam:apiKey: ${token}\n  seam:personalAccessToken:\n${secure}`,
  });
  const values = plainConfigValues("dev", dir);
  expect(values.get("seam:apiKey")).toBe(token);
  expect(values.has("seam:personalAccessToken")).toBe(false);
  expect(plainConfigValues("prod", dir).size).toBe(0);
});

test("from a `main:` subfolder, under stackConfigDir, with the .yml extension", () => {
  const dir = project({
    "Pulumi.yml": "name: site\nruntime: yaml\nmain: app/\nstackConfigDir: stacks\n",
    "app/.keep": "",
    "stacks/Pulumi.dev.yml": `config:\n  seam:apiKey: ${token}\n`,
  });
  expect(plainConfigValues("dev", path.join(dir, "app")).get("seam:apiKey")).toBe(token);
});

test("project-level config counts unless the stack file overrides it with a secure value", () => {
  const dir = project({
    "Pulumi.yaml": `name: site\nruntime: yaml\nconfig:\n  seam:apiKey:\n    value: ${token}\n`,
    "Pulumi.dev.yaml": `config:\n  seam:apiKey:\n${secure}`,
  });
  expect(plainConfigValues("other", dir).get("seam:apiKey")).toBe(token);
  expect(plainConfigValues("dev", dir).has("seam:apiKey")).toBe(false);
});

test("no project file, or a file that does not parse, finds nothing", () => {
  const dir = project({ "Pulumi.yaml": "name: [unclosed\n" });
  expect(plainConfigValues("dev", dir).size).toBe(0);
  expect(plainConfigValues("dev", os.tmpdir()).size).toBe(0);
});

describe("the refusal", () => {
  const def = providerIdentity("urn:pulumi:dev::site::pulumi:providers:seam::default", "default");
  test("a token sent marked secret but held in clear in a config file is refused, naming the command, never the value", () => {
    const refusal = plaintextTokenRefusal({ apiKey: secret(token) }, def, new Map([["seam:apiKey", token]]));
    expect(refusal).toContain("seam:apiKey is set in the stack config as plain text");
    expect(refusal).toContain("`pulumi config set --secret seam:apiKey <token>`");
    expect(refusal).not.toContain(token);
  });
  test("a different value in the file (the config came from elsewhere) is not refused", () => {
    expect(plaintextTokenRefusal({ apiKey: secret(token) }, def, new Map([["seam:apiKey", "seam_other"]]))).toBeUndefined();
    expect(plaintextTokenRefusal({ apiKey: secret(token) }, def)).toBeUndefined();
  });
  test("an explicit provider's arguments are not judged by the stack config files", () => {
    const site = providerIdentity("urn:pulumi:dev::site::pulumi:providers:seam::site-b", "site-b");
    expect(plaintextTokenRefusal({ apiKey: secret(token) }, site, new Map([["seam:apiKey", token]]))).toBeUndefined();
  });
});
