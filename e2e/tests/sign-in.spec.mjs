// Where signing in leads: `next` is followed only when it is a page of
// this site — judged on the address the browser would really go to. The
// URL parser normalises `/.//evil.example`, `/..//evil.example` and
// `/%2e//evil.example` into the path `//evil.example`, which a browser reads
// as another host; each of these spellings must end on this site's
// accounts list instead.
import { test, expect, submitSignIn, USERS } from './fixtures.mjs';

const OTHER_SITE = [
  '/.//evil.example',
  '/..//evil.example',
  '/%2e//evil.example',
  '/%2E%2E//evil.example',
  '//evil.example',
  '/\\evil.example',
  'https://evil.example',
];

test('signing in with next naming another site, however spelt, stays on this site', async ({ page, context, baseURL }) => {
  const origin = new URL(baseURL).origin;
  // Spread over the demo users: the sign-in limit is per account.
  const users = [USERS.csm, USERS.exec, USERS.manager, USERS.admin];
  for (const [i, next] of OTHER_SITE.entries()) {
    await context.clearCookies();
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await submitSignIn(page, users[i % users.length]);
    await expect(page, next).toHaveURL(`${origin}/accounts`);
    await expect(page.getByTestId('accounts-table'), next).toBeVisible();
    expect(new URL(page.url()).origin, next).toBe(origin);
  }
});
