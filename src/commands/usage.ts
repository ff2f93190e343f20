/** What every command shares: the usage error (exit 2) and a write that waits for the stream. */
export class UsageError extends Error {}

export function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  return new Promise((resolve, reject) => stream.write(text, (e) => (e ? reject(e) : resolve())));
}
