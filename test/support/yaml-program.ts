/**
 * YAML programs of the native `seam` provider for the engine suites: projects that name the
 * package the documented way (`packages: seam:` pointing at the installed package's bin/, which
 * holds pulumi-resource-seam), the resource snippets they are made of, and what the suites read
 * back (the state, the mutations Seam's fake received).
 */
import fs from "node:fs";
import path from "node:path";
import { PulumiProject } from "./pulumi";
import type { SeamFake } from "./seam-fake";
export { mutationsSince } from "./seam-fake";

/** The installed package's plugin directory, as a project inside the consumer reaches it. */
export const pluginDir = () => path.join(process.env.SEAM_ACS_TEST_CONSUMER!, "node_modules", "pulumi-seam-acs", "bin");

/** A YAML project: `resources` is the YAML text under `resources:` (indented two spaces); `extra` goes before it (e.g. `config:`). */
export function yamlProject(name: string, resources: string, extra = ""): PulumiProject {
  return new PulumiProject(name, { files: { "Pulumi.yaml": yamlText(name, resources, extra) } });
}
export function yamlText(name: string, resources: string, extra = ""): string {
  return `name: ${name}\nruntime: yaml\npackages:\n  seam: ${pluginDir()}\n${extra}resources:\n${resources}`;
}
/** The program's next version, as a user edits Pulumi.yaml between two commands. */
export function rewrite(p: PulumiProject, name: string, resources: string, extra = ""): void {
  fs.writeFileSync(path.join(p.dir, "Pulumi.yaml"), yamlText(name, resources, extra));
}
/** `stack init`, and the default provider's endpoint and (secret) API key from the stack config. */
export async function configureDefault(p: PulumiProject, fake: SeamFake): Promise<void> {
  await p.init();
  await p.run(["config", "set", "seam:endpoint", fake.url]);
  await p.run(["config", "set", "--secret", "seam:apiKey", fake.apiKey]);
}
export async function stateText(p: PulumiProject): Promise<string> {
  return (await p.run(["stack", "export"])).stdout;
}
/** The state's resources of the native types (`seam:…`). */
export async function seamResources(p: PulumiProject) {
  return (JSON.parse(await stateText(p)).deployment.resources ?? []).filter((r: { type: string }) => r.type.startsWith("seam:"));
}

/** `options` is YAML under the resource, e.g. `    options:\n      provider: ${site-a}\n`. */
export const membership = (name: string, user: string, group: string, options = "") =>
  `  ${name}:\n    type: seam:index:AccessGroupMembership\n    properties:\n      acsUserId: ${user}\n      acsAccessGroupId: ${group}\n${options}`;
export const roster = (name: string, group: string, members: Record<string, string> | string[], options = "") =>
  `  ${name}:\n    type: seam:index:AccessGroupRoster\n    properties:\n      acsAccessGroupId: ${group}\n      acsUserIds: ${JSON.stringify(members)}\n${options}`;
/** An explicit provider whose API key is the secret config value `keyConfig`. */
export const explicitProvider = (name: string, fake: SeamFake, keyConfig = "key") =>
  `  ${name}:\n    type: pulumi:providers:seam\n    properties:\n      apiKey: \${${keyConfig}}\n      endpoint: ${fake.url}\n`;
export const secretConfig = (key = "key") => `config:\n  ${key}:\n    type: string\n    secret: true\n`;
export const withProvider = (name: string) => `    options:\n      provider: \${${name}}\n`;
