import { SeamUnreachableError } from "../seam/errors";

/** What every command shares: the usage error (exit 2) and a write that waits for the stream. */
export class UsageError extends Error {}

export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
}

/**
 * A command's frame: parse (a UsageError goes up to cli.ts: exit 2), `--help`, then the body;
 * an error `isInputError` accepts prints `pulumi-seam-acs <name>: <message>` and exits 1, any
 * other as an unexpected failure (exit 1).
 */
export async function runCommand<O>(
  name: string,
  usage: string,
  options: O | "help",
  body: (options: O) => Promise<number>,
  isInputError: (e: unknown) => boolean,
): Promise<number> {
  if (options === "help") {
    await write(process.stdout, usage);
    return 0;
  }
  try {
    return await body(options);
  } catch (e) {
    if (e instanceof UsageError) throw e;
    // Seam could not be reached: the one line that names the endpoint, whichever request met it first.
    const message =
      e instanceof SeamUnreachableError ? e.first.message : isInputError(e) ? (e as Error).message : `unexpected failure: ${(e as Error).message ?? String(e)}`;
    process.stderr.write(`pulumi-seam-acs ${name}: ${message}\n`);
    return 1;
  }
}
