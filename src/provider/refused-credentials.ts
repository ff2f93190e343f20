/**
 * Seam refusing the credentials (HTTP 401 or 403) during a read (`pulumi refresh`) or a delete
 * (`pulumi destroy`, or a resource leaving the program): one error that says which credentials
 * were sent and what to run, for AccessGroupMembership and AccessGroupRoster alike.
 *
 * Why it needs saying: a plain `pulumi refresh` or `pulumi destroy` does not run the program, and
 * the engine configures the provider with the config stored with the stack's last update (the
 * default provider's inputs), not the stack config as it is now. After a key is rotated
 * (`pulumi config set --secret seam:apiKey <new>`), those runs still send the old key until a
 * `pulumi up` stores the new one, or they are run with `--run-program`.
 *
 * The rule for the environment: a token in the environment never stands in for a refused token
 * of the stack config. It is the rule of settings.ts (a token in the stack config wins, for every
 * operation) kept whole: a variable exported in a shell is often meant for another stack or
 * workspace, and `--run-program` or `pulumi up` already send the stack config's current token,
 * to the workspace the state records (membership-provider.ts `sameWorkspace`).
 */
import { SeamApiError } from "../seam/errors";
import { SeamAuth, tokenSetting } from "../seam/settings";

/** What the provider knows of the run when Seam refused: the credentials and whether the program ran. */
export interface RefusalContext {
  /** The credentials that were sent (their mode and source, never the token). */
  readonly auth: Pick<SeamAuth, "mode" | "source">;
  /**
   * `check` ran in this provider process: the engine runs the program (`pulumi up`), so the
   * provider has the stack config as it is now, not the stored one. False does not prove the
   * opposite: `--run-program` runs the program without checking resources.
   */
  readonly programRan: boolean;
}

/**
 * Turns Seam's refusals of the credentials into one clear error per process: the first says what
 * happened and what to run; later ones (other resources of the same run) point to it, so the
 * explanation is printed once. Any other error passes through unchanged.
 */
export class CredentialRefusals {
  private first: string | undefined;

  /**
   * Runs `operation` (a read or delete of the resource `subject`, e.g.
   * `AccessGroupMembership delete (acs_user_id=… acs_access_group_id=…)`); a SeamApiError whose
   * status refuses the credentials becomes a CredentialsRefusedError (no stack frames).
   */
  async during<T>(subject: string, context: () => RefusalContext, operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (e) {
      if (!(e instanceof SeamApiError && e.refusesCredentials)) throw e;
      if (this.first !== undefined) {
        throw new CredentialsRefusedError(
          `${subject}: Seam refused the same credentials as for ${this.first}; that error says what to run. It stays in the state as it was.`,
          subject,
          e.status,
        );
      }
      this.first = subject;
      throw new CredentialsRefusedError(`${subject}: ${explain(e, context())}`, subject, e.status);
    }
  }
}

/**
 * Seam refused the credentials. The message (what the engine prints as the resource's error) is
 * the whole explanation. For a failed read or delete the dynamic provider host also writes
 * `${error}: ${error.stack}` to its stderr, which the engine prints among the stack's diagnostics
 * (`@pulumi/pulumi` cmd/dynamic-provider; measured): with an ordinary Error that is the
 * explanation twice more and a trace naming this package's files. So that line is made short
 * instead: `<subject>: Seam refused the credentials (HTTP <status>)`, and the stack holds no frame.
 */
export class CredentialsRefusedError extends Error {
  override readonly name = "CredentialsRefusedError";

  constructor(
    message: string,
    private readonly subject: string,
    status: number | undefined,
  ) {
    super(message);
    this.stack = `Seam refused the credentials (HTTP ${status ?? "?"}); the resource's error says what to run`;
  }

  override toString(): string {
    return this.subject;
  }
}

function explain(e: SeamApiError, { auth, programRan }: RefusalContext): string {
  const setting = tokenSetting(auth);
  const answer = `Seam answered: ${e.message}.`;
  const configKey = tokenSetting({ mode: auth.mode, source: "stack config" });
  if (auth.source === "environment") {
    return (
      `Seam refused the credentials from the environment (${setting}); the stack config sets no token, so the environment's is sent. ` +
      `Set a valid one in ${setting}, or in the stack config (\`pulumi config set --secret ${configKey} <token>\`). It stays in the state as it was. ${answer}`
    );
  }
  if (programRan) {
    return (
      `Seam refused the credentials of the stack config (${setting}). Set valid ones with \`pulumi config set --secret ${setting} <token>\` ` +
      `and run again. It stays in the state as it was. ${answer}`
    );
  }
  // No check in this process: a plain refresh or destroy, or one with --run-program (measured:
  // `destroy --run-program` checks no resource), or an up whose program declares none of ours.
  return (
    `Seam refused the credentials (${setting}) that the engine used. A plain \`pulumi refresh\` or \`pulumi destroy\` sends the credentials stored ` +
    `with the stack's last update, not the stack config as it is now, so a token rotated since that update is still the old one there: ` +
    `run \`pulumi up\` first (it stores the stack config's credentials), then run the command again; or run \`pulumi destroy --run-program\` or ` +
    `\`pulumi refresh --run-program\`, which send the stack config's credentials as they are now. If this run ran the program (\`pulumi up\`, ` +
    `or --run-program), the stack config's own credentials were refused: set valid ones with \`pulumi config set --secret ${setting} <token>\`. ` +
    `A token in the environment is not used in place of the stack config's. It stays in the state as it was. ${answer} ` +
    `See "Rotating credentials" in the package's docs/configuration.md.`
  );
}
