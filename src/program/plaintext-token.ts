/**
 * A Seam token set without `--secret` (`pulumi config set seam:apiKey …`) sits in clear text in
 * Pulumi.<stack>.yaml, and the engine copies the stack config into the default provider's inputs
 * in the state. The program refuses to run with one (so `pulumi preview` fails), naming the
 * command that stores it encrypted.
 *
 * Which keys are secret is known only in the program process: the language host passes their
 * names in PULUMI_CONFIG_SECRET_KEYS (read by @pulumi/pulumi's `runtime.isConfigSecret`); the
 * provider's `configure` receives every value decrypted, with no such mark.
 */
import * as pulumi from "@pulumi/pulumi";
import { programError } from "./program-error";

/** The stack config keys that hold a Seam token (see seam/settings.ts). */
export const tokenConfigKeys = ["seam:apiKey", "seam:personalAccessToken", "seam:consoleSessionToken"] as const;

/**
 * What is wrong when a token key is set but not secret, or undefined. `get` reads the stack config
 * (`ns:key`), `isSecret` says whether a key was stored with `--secret`. Never repeats a value.
 */
export function plaintextTokenProblem(get: (key: string) => string | undefined, isSecret: (key: string) => boolean): string | undefined {
  const plain = tokenConfigKeys.filter((key) => (get(key) ?? "") !== "" && !isSecret(key));
  if (plain.length === 0) return undefined;
  return (
    `${plain.join(" and ")} ${plain.length === 1 ? "is" : "are"} set in the stack config as plain text, so ${plain.length === 1 ? "it sits" : "they sit"} ` +
    "unencrypted in Pulumi.<stack>.yaml and in the state. Store " +
    (plain.length === 1 ? "it" : "each") +
    " encrypted: " +
    plain.map((key) => `\`pulumi config set --secret ${key} <token>\``).join(", ") +
    ". Nothing was sent to Seam."
  );
}

/** The verdict, once per program run: undefined (fine) or the one error object, reported once however often it is thrown. */
let verdict: { error?: Error } | undefined;

/**
 * Throws a programError (printed as the message alone) when the program's stack config holds a
 * token key that is not a secret. Checked once per program run; always the same error object.
 */
export function refusePlaintextTokens(): void {
  if (!verdict) {
    const problem = plaintextTokenProblem((key) => pulumi.runtime.getConfig(key), isConfigSecret);
    verdict = problem === undefined ? {} : { error: programError(problem) };
  }
  if (verdict.error) throw verdict.error;
}

/** @pulumi/pulumi's `runtime.isConfigSecret` (internal, present since long before 3.216), or the same rule on the environment. */
function isConfigSecret(key: string): boolean {
  const fromSdk = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (typeof fromSdk === "function") return fromSdk(key);
  try {
    const keys: unknown = JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]");
    return Array.isArray(keys) && keys.includes(key);
  } catch {
    return false;
  }
}
