// Shared fixtures: every test fails on a browser console error or an
// uncaught page error, and `visit` runs an axe-core scan of the page it
// lands on (failing on serious or critical violations) and saves a
// screenshot under target/screenshots for people to look at.
import { test as base, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import fs from 'node:fs';
import path from 'node:path';

export const PASSWORD = process.env.KIZUNA_DEMO_PASSWORD ?? '';
export const USERS = {
  admin: 'admin@demo.kizuna',
  manager: 'manager@demo.kizuna',
  csm: 'csm@demo.kizuna',
  exec: 'exec@demo.kizuna',
};

const SCREENSHOTS = path.resolve(import.meta.dirname, '../../target/screenshots');

// Chromium logs every 4xx answer to a fetch as a console error ("Failed to
// load resource"). These answers are the journeys' expected outcomes: an
// account that does not exist (404), a duplicate user (409), an import file
// with errors (422, its report is the answer), an import progress token the
// server does not know yet (404), and a stale account edit or merge (409).
// Nothing else is allowed — in particular the session probe on the sign-in
// page answers 204 when nobody is signed in, so visiting it logs nothing.
// A test that provokes another error on purpose (a wrong password, a
// session ended elsewhere) says so with `allowHttpError`.
const EXPECTED_HTTP_ERRORS = [
  [404, /\/api\/v1\/accounts\/\d+$/],
  [409, /\/api\/v1\/users$/],
  [422, /\/api\/v1\/imports\?/],
  [404, /\/api\/v1\/imports\/progress\/[0-9a-f]+$/],
  [409, /\/api\/v1\/accounts\/\d+$/],
  [409, /\/api\/v1\/duplicates\/merge$/],
];
const allowances = new WeakMap();

/** Lets `page` log the console error of one expected HTTP answer. */
export function allowHttpError(page, status, pattern) {
  allowances.get(page).push([status, pattern]);
}

function isExpectedHttpError(page, msg) {
  const url = msg.location()?.url ?? '';
  return allowances.get(page).some(
    ([status, pattern]) => msg.text().includes(`status of ${status}`) && pattern.test(url),
  );
}

export const test = base.extend({
  page: async ({ page }, use) => {
    const errors = [];
    allowances.set(page, [...EXPECTED_HTTP_ERRORS]);
    page.on('console', (msg) => {
      if (msg.type() === 'error' && !isExpectedHttpError(page, msg)) {
        errors.push(`console: ${msg.text()} (${msg.location()?.url ?? ''})`);
      }
    });
    page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
    await use(page);
    expect(errors, 'browser console errors').toEqual([]);
  },
});

export { expect };

/** Scans the current page with axe-core and saves a screenshot. */
export async function audit(page, name) {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  const blocking = results.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  const summary = blocking.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const lang = await page.evaluate(() => document.documentElement.lang || 'en');
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}-${lang}.png`), fullPage: true });
  expect(summary, `accessibility violations on ${name}`).toEqual([]);
}

/** Fills in and sends the sign-in form (the page must show it). */
export async function submitSignIn(page, email, password = PASSWORD) {
  await page.getByLabel(/^(Email|メールアドレス)$/).fill(email);
  await page.getByLabel(/^(Password|パスワード)$/).fill(password);
  await page.getByRole('button', { name: /^(Sign in|ログイン)$/ }).click();
}

/** Signs in through the login form and waits for the accounts list. */
export async function signIn(page, email) {
  await page.goto('/login');
  await submitSignIn(page, email);
  await expect(page).toHaveURL(/\/accounts/);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
}

/** Switches the UI to the other language and waits for `<html lang>`. */
export async function switchLanguage(page) {
  const before = await page.evaluate(() => document.documentElement.lang);
  await page.getByTestId('language-switch').click();
  await expect.poll(() => page.evaluate(() => document.documentElement.lang)).not.toBe(before);
}

/** Calls the API with the page's session (and the CSRF header). */
export async function api(page, method, url, data) {
  const resp = await page.request.fetch(url, { method, data, headers: { 'x-kizuna-csrf': '1' } });
  expect(resp.ok(), `${method} ${url}: ${resp.status()} ${await resp.text()}`).toBeTruthy();
  return resp.status() === 204 ? null : resp.json();
}
