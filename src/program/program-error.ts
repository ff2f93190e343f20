/**
 * Errors the program process raises for the user to fix (no token, an unknown email, a roster
 * file's mistakes, a plaintext token): Pulumi prints them once, as the message alone.
 *
 * The SDK prints a RunError's message without a stack (`cmd/run/run.js`), and reports one error
 * object once however many promises it rejects. But when the error rejects a resource input, the
 * SDK first rewrites its message to `error serializing property "acsUserId": …`
 * (`runtime/rpc.js`, by assigning `err.message` and rethrowing the same object); these messages
 * already name the resource and field, so that assignment is ignored.
 */
import * as pulumi from "@pulumi/pulumi";

/** One error object per message: the SDK reports an object once, so ten failed lookups with one cause print once. */
const made = new Map<string, pulumi.RunError>();

/**
 * A pulumi.RunError whose message stays as written, the same object for the same message. Its
 * name is empty because some SDK paths print an error as `String(error)` (`Error: …`); the
 * message is all a reader needs.
 */
export function programError(message: string): pulumi.RunError {
  const known = made.get(message);
  if (known) return known;
  const error = new pulumi.RunError(message);
  Object.defineProperty(error, "message", { get: () => message, set: () => undefined, enumerable: false, configurable: true });
  Object.defineProperty(error, "name", { value: "", enumerable: false, configurable: true, writable: true });
  error.stack = message;
  made.set(message, error);
  return error;
}

/** `error` as a programError (its message kept), unless it already is a RunError. */
export function asProgramError(error: unknown): pulumi.RunError {
  if (pulumi.RunError.isInstance(error)) return error as pulumi.RunError;
  return programError(error instanceof Error ? error.message : String(error));
}
