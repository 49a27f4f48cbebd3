import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Every request body goes through the body pool and is poisoned when released, so a read after release fails a
    // test (src/ingress/body-pool.ts). Routers the tests start as processes inherit it.
    env: { SWITCHYARD_CHECK_BODY_POOL: '1' },
  },
});
