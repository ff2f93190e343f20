/**
 * A loopback HTTP server for a release's files, as a download location (`pluginDownloadURL: http://…/`) the
 * engine fetches plugin tarballs from: each file with its Content-Length (the engine's download wants one),
 * 404 for anything else, and a log of every request's path.
 */
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";

export interface ReleaseServer {
  /** The base URL, ending in `/`. */
  readonly url: string;
  /** The path of every request, in order. */
  readonly requests: string[];
  stop(): Promise<void>;
}

export async function serveRelease(dir: string): Promise<ReleaseServer> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname.slice(1));
    requests.push(`/${name}`);
    const file = path.join(dir, name);
    if (name.includes("/") || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "Content-Type": "application/gzip", "Content-Length": fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
