/**
 * `review --stack NAME`: the stack's `seam:*` config, read through the pulumi CLI exactly as the
 * provider receives it (secrets decrypted), so names are read with the stack's own credentials
 * and endpoint instead of SEAM_* variables. Runs `pulumi config --json --show-secrets --stack NAME`
 * in the current directory (the project's), with the caller's environment (backend login,
 * PULUMI_CONFIG_PASSPHRASE). The values stay in this process; errors never repeat them.
 * A stack's config lives in its project's directory: for a stack of another project
 * (`ORG/PROJECT/STACK`), `pulumi config` would answer with this directory's files (`{}`,
 * measured), so that is refused instead (audit/read-stack.ts stackLocation).
 */
import { execFile } from "node:child_process";
import type { ConfigSource } from "../seam/settings";
import { stackLocation } from "../audit/read-stack";

/** The stack's config as a ConfigSource (`seam:apiKey` → value), or throws an Error saying what failed. */
export function readStackConfig(stack: string, env: NodeJS.ProcessEnv = process.env): Promise<ConfigSource> {
  if (!stackLocation(stack).inCurrentProject) {
    return Promise.reject(
      new Error(`cannot read the config of stack ${stack} here: it is not a stack of the project in this directory, and a stack's seam:* config is in its project's directory. Run there, or set the SEAM_* variables`),
    );
  }
  return new Promise((resolve, reject) => {
    execFile("pulumi", ["config", "--json", "--show-secrets", "--stack", stack, "--non-interactive"], { env, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) {
        const why = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the pulumi CLI is not on PATH" : firstLine(stderr) || error.message;
        reject(new Error(`cannot read the config of stack ${stack} (\`pulumi config --json --show-secrets --stack ${stack}\`): ${why}`));
        return;
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(stdout);
      } catch {
        reject(new Error(`\`pulumi config --json --stack ${stack}\` did not print JSON`));
        return;
      }
      const values = new Map<string, string>();
      for (const [key, entry] of Object.entries((parsed ?? {}) as Record<string, { value?: unknown }>)) {
        if (key.startsWith("seam:") && typeof entry?.value === "string") values.set(key, entry.value);
      }
      resolve({ get: (key) => values.get(key) });
    });
  });
}

function firstLine(text: string): string {
  return text.split("\n").map((l) => l.trim()).find((l) => l !== "") ?? "";
}
