/**
 * Which stack config keys sit in clear text in the project's own config files, as the native
 * provider can see them.
 *
 * The engine hands the default provider its `seam:` config with no reliable secret mark: a key set
 * with `--secret` once stays marked secret after a plain `pulumi config set` (measured with the CLI
 * of 3.274.1), so `Configure` alone cannot tell. The files can: the engine starts a provider plugin
 * in the program's directory (pulumi/pulumi pkg/engine ProjectInfoContext → plugin.NewContextWithRoot,
 * pwd from Projinfo.GetPwdMain: the project root, or its `main:` folder), the project file is the
 * nearest `Pulumi.yaml`/`Pulumi.yml` walking up from there (workspace.DetectProjectPathFrom), and the
 * stack's config file is `Pulumi.<stack><same extension>` beside it or under its `stackConfigDir`
 * (workspace.DetectProjectStackPath), the stack being the URN's (`urn:pulumi:<stack>::<project>::…`).
 * A value stored with `--secret` is `{secure: …}` there; a plain one is a string.
 *
 * A key counts as clear text only when such a file holds it as a string equal to the value the
 * engine sent, so a config that comes from elsewhere (`--config-file`, a Pulumi ESC environment,
 * the Automation API with a program outside the project) is never refused by mistake: it is just
 * not seen.
 */
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/** The stack name of a URN (`urn:pulumi:<stack>::…`), or undefined. */
export function stackOfUrn(urn: string): string | undefined {
  const m = /^urn:pulumi:([^:]+)::/.exec(urn);
  return m?.[1];
}

/**
 * The `ns:key` → plain-string values of the stack config file (`Pulumi.<stack>.yaml`) and of the
 * project file's `config:` section, found from `dir` (the provider's working directory). Secure
 * values are left out. Empty when no project file is found or a file cannot be read or parsed:
 * this only ever adds refusals, so a file it cannot read must refuse nothing.
 */
export function plainConfigValues(stack: string, dir: string = process.cwd()): Map<string, string> {
  const values = new Map<string, string>();
  const projectFile = findProjectFile(dir);
  if (!projectFile) return values;
  const project = readYaml(projectFile);
  const ext = path.extname(projectFile);
  const configDir = typeof project?.stackConfigDir === "string" ? project.stackConfigDir : "";
  const stackFile = path.join(path.dirname(projectFile), configDir, `Pulumi.${stack}${ext}`);
  // Project-level values first: the stack file's value for the same key is the one the engine uses.
  for (const [key, entry] of Object.entries(asObject(project?.config))) {
    const plain = typeof entry === "string" ? entry : asObject(entry).value ?? asObject(entry).default;
    if (typeof plain === "string") values.set(key, plain);
  }
  for (const [key, entry] of Object.entries(asObject(readYaml(stackFile)?.config))) {
    if (typeof entry === "string") values.set(key, entry);
    else values.delete(key);
  }
  return values;
}

function findProjectFile(start: string): string | undefined {
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    for (const name of ["Pulumi.yaml", "Pulumi.yml"]) {
      const file = path.join(dir, name);
      if (fs.existsSync(file)) return file;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}

function readYaml(file: string): Record<string, unknown> | undefined {
  try {
    return asObject(parse(fs.readFileSync(file, "utf8")));
  } catch {
    return undefined;
  }
}

function asObject(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
