// Playwright drives Debian's Chromium (/usr/bin/chromium): this machine can
// not download Playwright's own browser builds. `cargo xtask test` starts the
// real server with a fresh database and passes its address and the demo
// password in KIZUNA_BASE_URL and KIZUNA_DEMO_PASSWORD. To run a few journeys,
// use `cargo xtask test --only e2e --e2e-grep <title>` rather than `test.only`,
// which is forbidden so that it can never narrow the suite unnoticed.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './tests',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  outputDir: '../target/e2e-results',
  use: {
    baseURL: process.env.KIZUNA_BASE_URL ?? 'http://127.0.0.1:8080',
    locale: 'en-US',
    viewport: { width: 1280, height: 800 },
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
