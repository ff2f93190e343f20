/** @type {import('jest').Config} */
module.exports = {
  preset: "ts-jest",
  testEnvironment: "node",
  roots: ["<rootDir>/test"],
  testMatch: ["**/*.test.ts"],
  globalSetup: "<rootDir>/test/global-setup.ts",
  globalTeardown: "<rootDir>/test/global-teardown.ts",
  // End-to-end suites start Seam's fake, child processes and the pulumi CLI.
  testTimeout: 120_000,
  // Two cores: the engine suites each run a CLI and a Node program at once.
  maxWorkers: 2,
};
