/**
 * A PATH for a Pulumi program on a machine without Node.js: the CLI's directory, the language hosts'
 * directory, and the given tool directories, with a check that none of them holds a `node`.
 */
import fs from "node:fs";
import path from "node:path";

/** The PATH value; throws if any of its directories holds `node` (then the test would prove nothing). */
export function pathWithoutNode(...toolDirs: string[]): string {
  const dirs = [process.env.PULUMI_SEAM_ACS_PULUMI_BIN!, process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN!, ...toolDirs];
  for (const d of dirs) {
    for (const name of ["node", "node.exe", "nodejs"]) {
      if (fs.existsSync(path.join(d, name))) throw new Error(`${path.join(d, name)} exists: this PATH is meant to hold no Node.js`);
    }
  }
  return dirs.join(path.delimiter);
}
