import { test, expect, audit, signIn, USERS, PASSWORD } from './fixtures.mjs';

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

test('a wrong password shows an inline error and keeps the visitor signed out', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(USERS.csm);
  await page.getByLabel('Password').fill(`${PASSWORD}-wrong`);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('login-error')).toHaveText('The email or password is not correct.');
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
  await page.getByRole('link', { name: 'ユーザー' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ユーザー');
  await page.getByRole('button', { name: 'ユーザーを作成' }).click();
  await expect(page.locator('.field-error').first()).toHaveText('氏名を入力してください（100文字以内）。');
  await audit(page, 'users');
  await page.goto('/no/such/page');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ページが見つかりません');
  await audit(page, 'not-found');
});
