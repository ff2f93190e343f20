/**
 * Provides what the engine suites need before any test runs: the pinned pulumi CLI (built from Go
 * modules into a cache the first time, reused after) and one consumer project with the packed
 * package installed, shared by all suites through environment variables.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { makeConsumer, repoRoot } from "./support/consumer";

export default function globalSetup(): void {
  if (!process.env.PULUMI_SEAM_ACS_PULUMI_BIN || !process.env.SEAM_ACS_TEST_CONSUMER) {
    process.stderr.write("\nPreparing the pulumi CLI (scripts/pulumi-cli.sh) and a consumer project ...\n");
  }
  process.env.PULUMI_SEAM_ACS_PULUMI_BIN ??= execFileSync("bash", [path.join(repoRoot, "scripts/pulumi-cli.sh")], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
  process.env.SEAM_ACS_TEST_CONSUMER ??= makeConsumer("consumer");
}
