/**
 * Provides what the engine suites need before any test runs: the pinned pulumi CLI and the YAML and Go language
 * hosts with the SDK generators (each built from Go modules into a cache the first time, reused after), and one
 * consumer project with the packed package installed, shared by all suites through environment variables.
 */
import { execFileSync } from "node:child_process";
import path from "node:path";
import { makeConsumer, repoRoot } from "./support/consumer";

/** Runs one of the cache scripts and returns the directory it prints (its progress goes to our stderr). */
function cachedBin(script: string, ...args: string[]): string {
  return execFileSync("bash", [path.join(repoRoot, "scripts", script), ...args], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  }).trim();
}

export default function globalSetup(): void {
  if (!process.env.PULUMI_SEAM_ACS_PULUMI_BIN || !process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN || !process.env.SEAM_ACS_TEST_CONSUMER) {
    process.stderr.write("\nPreparing the pulumi CLI and language hosts (scripts/pulumi-cli.sh, scripts/language-hosts.sh) and a consumer project ...\n");
  }
  process.env.PULUMI_SEAM_ACS_PULUMI_BIN ??= cachedBin("pulumi-cli.sh");
  // The generators' directory first: while PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN is unset the script builds (or finds)
  // its cache entry; once set, the script would answer with that directory for both.
  process.env.PULUMI_SEAM_ACS_CODEGEN_BIN ??= cachedBin("language-hosts.sh", "--codegen");
  process.env.PULUMI_SEAM_ACS_LANGUAGE_HOSTS_BIN ??= cachedBin("language-hosts.sh");
  process.env.SEAM_ACS_TEST_CONSUMER ??= makeConsumer("consumer");
}
