import fs from "node:fs";
import os from "node:os";

export default function globalTeardown(): void {
  const consumer = process.env.SEAM_ACS_TEST_CONSUMER;
  if (consumer?.startsWith(os.tmpdir())) fs.rmSync(consumer, { recursive: true, force: true });
}
