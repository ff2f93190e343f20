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
import { plaintextTokenProblem } from "./plaintext-token-problem";

// The rule itself is shared with the native provider, which must not load @pulumi/pulumi (plaintext-token-problem.ts).
export { tokenConfigKeys, plaintextTokenProblem } from "./plaintext-token-problem";

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
