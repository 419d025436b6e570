import { test, expect, audit, signIn, submitSignIn, allowHttpError, USERS, PASSWORD } from './fixtures.mjs';

test('a CSM signs in, filters and sorts the accounts, opens one and signs out', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
  await audit(page, 'login');

  await signIn(page, USERS.csm);
  await expect(page.getByTestId('whoami')).toContainText('CSM');
  const rows = page.getByTestId('accounts-table').locator('tbody tr');
  await expect(rows).toHaveCount(50);
  const firstCount = await page.getByTestId('accounts-count').textContent();
  expect(firstCount).toMatch(/of 600$/);
  await audit(page, 'accounts');

  // Filter: churned accounts only.
  await page.getByLabel('Status').selectOption('churned');
  await expect(page).toHaveURL(/status=churned/);
  await expect(page.getByTestId('accounts-count')).not.toHaveText(firstCount);
  const statuses = await rows.locator('.pill').allTextContents();
  expect(statuses.length).toBeGreaterThan(0);
  for (const s of statuses) expect(s).toContain('Churned');

  // Sort by MRR: the first click sorts biggest first.
  await page.getByLabel('Status').selectOption('');
  await page.getByRole('button', { name: /MRR/ }).click();
  await expect(page).toHaveURL(/sort=mrr/);
  await expect(page.locator('th[aria-sort="descending"]')).toContainText('MRR');
  // Search narrows the list and keeps it in the URL.
  const firstName = (await rows.first().locator('th a').textContent()).trim();
  await page.getByLabel('Search').fill(firstName);
  await expect(page).toHaveURL(/q=/);
  await expect(rows.first().locator('th a')).toHaveText(firstName);

  // Open the account.
  await rows.first().locator('th a').click();
  await expect(page).toHaveURL(/\/accounts\/\d+$/);
  await expect(page.getByTestId('account-name')).toHaveText(firstName);
  await expect(page.getByTestId('account-mrr')).not.toBeEmpty();
  await audit(page, 'account-detail');

  // Sign out.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/accounts');
  await expect(page).toHaveURL(/\/login\?next=/);
});

test('the sign-in page asks who is signed in without a console error', async ({ page }) => {
  // Nobody is signed in: the probe answers 204, which the browser does not
  // log (a 401 would be "Failed to load resource" in the console, and the
  // fixture fails the test on any console error).
  const probe = page.waitForResponse((r) => r.url().endsWith('/api/v1/session') && r.request().method() === 'GET');
  await page.goto('/login');
  expect((await probe).status()).toBe(204);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to Kizuna');
  await expect(page.getByTestId('session-ended')).toHaveCount(0);
});

test('a wrong password shows an inline error and keeps the visitor signed out', async ({ page }) => {
  // The refused sign-in (401) is this test's expected answer.
  allowHttpError(page, 401, /\/api\/v1\/session$/);
  await page.goto('/login');
  await page.getByLabel('Email').fill(USERS.csm);
  await page.getByLabel('Password').fill(`${PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('form-failure')).toHaveText('The email or password is not correct.');
  await expect(page).toHaveURL(/\/login/);
  await audit(page, 'login-error');

  // A malformed address is caught in the form itself.
  await page.getByLabel('Email').fill('not-an-email');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.locator('#email-error')).toHaveText('Enter a valid email address.');
  await expect(page.getByLabel('Email')).toHaveAttribute('aria-invalid', 'true');
});

test('switching to Japanese changes the UI text and is remembered', async ({ page }) => {
  await page.goto('/login');
  await page.getByTestId('language-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Kizuna にログイン');
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await audit(page, 'login');

  await signIn(page, USERS.manager);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('顧客一覧');
  await expect(page.getByTestId('whoami')).toContainText('CSマネージャー');
  await expect(page.getByTestId('accounts-count')).toContainText('件');
  await audit(page, 'accounts');

  // The choice survives a reload (the server serves <html lang="ja">).
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('顧客一覧');
  await page.getByTestId('accounts-table').locator('tbody tr th a').first().click();
  await expect(page.getByText('基本情報')).toBeVisible();
  await audit(page, 'account-detail');

  await page.getByTestId('language-switch').click();
  await expect(page.getByRole('heading', { level: 2 }).first()).toHaveText('Profile');
});

test('an admin manages users and a CSM cannot', async ({ page }) => {
  await signIn(page, USERS.admin);
  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByTestId('users-table')).toContainText(USERS.csm);
  await audit(page, 'users');

  // Inline validation before anything is sent.
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.locator('.field-error').first()).toHaveText('Enter a name (up to 100 characters).');

  const email = `new.csm.${Date.now()}@demo.kizuna`;
  await page.getByLabel('Name').fill('Kenji Watanabe');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Role').selectOption('csm');
  await page.getByLabel(/Initial password/).fill('a-long-enough-password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('status')).toContainText('Kenji Watanabe');
  await expect(page.getByTestId('users-table')).toContainText(email);

  // The same address again is refused with a clear message.
  await page.getByLabel('Name').fill('Kenji Again');
  await page.getByLabel('Email').fill(email);
  await page.getByLabel(/Initial password/).fill('a-long-enough-password');
  await page.getByRole('button', { name: 'Create user' }).click();
  await expect(page.getByRole('alert')).toContainText('already exists');

  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, USERS.csm);
  await expect(page.getByRole('link', { name: 'Users' })).toHaveCount(0);
  await page.goto('/users');
  await expect(page.getByRole('alert')).toContainText('does not allow');
});

test('an unknown address shows a designed not-found page', async ({ page }) => {
  await signIn(page, USERS.exec);
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Page not found');
  await audit(page, 'not-found');
  await page.goto('/accounts/999999999');
  await expect(page.getByText('This account does not exist')).toBeVisible();
});

test('the admin pages and the not-found page read in Japanese', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
  await signIn(page, USERS.admin);
  await expect(page.locator('html')).toHaveAttribute('lang', 'ja');
  await page.getByRole('link', { name: 'ユーザー管理' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ユーザー管理');
  await page.getByRole('button', { name: 'ユーザーを作成' }).click();
  await expect(page.locator('.field-error').first()).toHaveText('氏名を入力してください（100文字以内）。');
  await audit(page, 'users');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ページが見つかりません');
  await audit(page, 'not-found');
});

test('after signing in, next leads only to a page of this site', async ({ page, baseURL }) => {
  const origin = new URL(baseURL).origin;
  // Another site, in every spelling a browser would follow.
  await page.goto('/login?next=//evil.example');
  await submitSignIn(page, USERS.csm);
  await expect(page).toHaveURL(`${origin}/accounts`);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
  for (const next of ['//evil.example', '/%5Cevil.example', '%2F%2Fevil.example', '/%252F%252Fevil.example', 'https://evil.example/', '/%09/evil.example']) {
    // Signed in already: the sign-in page goes on to `next` at once.
    await page.goto(`/login?next=${encodeURIComponent(next)}`);
    await expect(page).toHaveURL(`${origin}/accounts`);
    await expect(page.getByTestId('accounts-table')).toBeVisible();
  }
  // A page of this site is where the visitor goes.
  await page.goto(`/login?next=${encodeURIComponent('/imports')}`);
  await expect(page).toHaveURL(`${origin}/imports`);
  await expect(page.getByTestId('history-table').or(page.getByText('Nothing has been imported'))).toBeVisible();
});

test('when the session ends elsewhere, the next action returns to sign-in and back', async ({ page, context }) => {
  // The refused call after the session ended is this test's expected answer.
  allowHttpError(page, 401, /\/api\/v1\/accounts\?/);
  await signIn(page, USERS.manager);
  await page.getByLabel('Status').selectOption('churned');
  await expect(page).toHaveURL(/status=churned/);

  // Signed out in another tab: the cookie is gone for this one too.
  const other = await context.newPage();
  await other.goto('/accounts');
  await other.getByRole('button', { name: 'Sign out' }).click();
  await expect(other).toHaveURL(/\/login/);
  await other.close();

  // The next call answers 401: back to sign-in, with a note and `next`.
  await page.getByRole('button', { name: /MRR/ }).click();
  await expect(page).toHaveURL(/\/login\?next=%2Faccounts%3F/);
  await expect(page.getByTestId('session-ended')).toHaveText('Your session has ended. Sign in again to continue where you were.');
  await audit(page, 'login-session-ended');
  await page.getByTestId('language-switch').click();
  await expect(page.getByTestId('session-ended')).toContainText('セッションが終了しました');
  await audit(page, 'login-session-ended');
  await page.getByTestId('language-switch').click();

  // Signing in again returns to the list as it was.
  await submitSignIn(page, USERS.manager);
  await expect(page).toHaveURL(/\/accounts\?.*status=churned.*sort=mrr/);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
  await expect(page.getByTestId('session-ended')).toHaveCount(0);
});

test.describe('in Tokyo', () => {
  test.use({ timezoneId: 'Asia/Tokyo' });

  test('the history shows times in the user\'s time zone', async ({ page, context, baseURL }) => {
    await signIn(page, USERS.manager);
    const name = `Tokyo time ${Date.now().toString(36)}`;
    const created = await page.request.post('/api/v1/accounts', {
      data: { name, mrr_minor: 0, currency: 'JPY', status: 'active' },
      headers: { 'x-kizuna-csrf': '1' },
    });
    expect(created.ok(), await created.text()).toBeTruthy();
    const history = await (await page.request.get('/api/v1/imports?per_page=1')).json();
    const at = history.items[0].at;
    const utc = Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(at) ? at : `${at}Z`);
    // Tokyo is UTC+9 all year: the expected wall-clock time, by arithmetic.
    const tokyo = new Date(utc + 9 * 3600 * 1000);
    const two = (n) => String(n).padStart(2, '0');
    const day = [tokyo.getUTCFullYear(), two(tokyo.getUTCMonth() + 1), two(tokyo.getUTCDate())];
    const clock = `${two(tokyo.getUTCHours())}:${two(tokyo.getUTCMinutes())}`;

    await page.goto('/imports');
    const first = page.getByTestId('history-table').locator('tbody tr').first();
    await expect(first).toContainText(`${day.join('-')} ${clock} GMT+9`);
    await audit(page, 'import-history-tokyo');

    await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
    await page.reload();
    await expect(first).toContainText(`${day.join('/')} ${clock} JST`);
    await audit(page, 'import-history-tokyo');
  });
});
