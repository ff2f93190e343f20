/**
 * The rule for Seam tokens set in the stack config as plain text (see plaintext-token.ts), apart from the
 * program-side check, so the native provider can apply it without loading @pulumi/pulumi: loading the whole SDK
 * cost the plugin's start about half a second, and its standalone executable does not carry the SDK.
 */

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

