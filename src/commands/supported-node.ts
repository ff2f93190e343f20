/**
 * Imported first by the CLI: on an old Node.js it prints the version found and the version
 * needed, and exits 1 before any command (or undici) loads.
 */
import { nodeVersionProblem } from "../node-version";

const problem = nodeVersionProblem(process.versions.node);
if (problem !== undefined) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
