import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores: more workers only contend for them.
    maxWorkers: 2,
    reporters: ['default'],
    // Runs keep their record in a throw-away embedded store unless a test chooses one.
    env: { EWS_DB: 'memory://' },
  },
});
