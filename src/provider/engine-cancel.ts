/**
 * The engine's `Cancel` call, as the provider process can see it.
 *
 * On the first Ctrl-C (SIGINT to the CLI's process group) the CLI stops scheduling steps, sends
 * the provider the gRPC `Cancel` call and waits for the steps that are running. Measured with the
 * CLI of 3.274.1: the provider process runs in its own process group, so the signal never reaches
 * it; `Cancel` arrives within milliseconds; the Node dynamic-provider host answers it and does
 * nothing else (pulumi/pulumi#14054). So a create in a long `seam:waitForSync` wait would hold the
 * whole run for up to `seam:syncTimeoutSeconds`.
 *
 * This watches the host's own HTTP/2 server for that call: one more `stream` listener, which only
 * looks at the path and leaves the answer to the host. The server is found among the process's
 * active handles (`process._getActiveHandles`, undocumented but present in every Node release
 * this package supports); where it cannot be found (unit tests, a future host) nothing is
 * watched and waits run to their own timeout, as before.
 */
import net from "node:net";

const cancelPath = "/pulumirpc.ResourceProvider/Cancel";

let controller: AbortController | undefined;

/** Aborted once the engine has asked this process to cancel. Starts watching on first use. */
export function engineCancelSignal(): AbortSignal {
  if (!controller) {
    controller = new AbortController();
    watch(controller);
  }
  return controller.signal;
}

function watch(c: AbortController): void {
  const handles = (process as unknown as { _getActiveHandles?: () => unknown[] })._getActiveHandles?.() ?? [];
  for (const handle of handles) {
    // The host's gRPC server: an HTTP/2 server (a net.Server) that already serves streams.
    if (!(handle instanceof net.Server) || handle.listenerCount("stream") === 0) continue;
    handle.on("stream", (_stream: unknown, headers: Record<string, unknown>) => {
      if (headers[":path"] === cancelPath) c.abort(new Error("the engine cancelled the run (Ctrl-C)"));
    });
  }
}

/** A sleep that ends early, rejecting with the signal's reason, once `signal` aborts. */
export function sleepUnlessAborted(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
