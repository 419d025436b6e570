// Administration journeys (issue 8): an admin disables a user who is signed
// in elsewhere, resets a password (shown once), cannot remove the last
// admin; every user changes their own password; the audit log shows those
// events to admins and only data events to managers. Each journey makes its
// own users, so the demo users the other specs sign in with never change.
import { test, expect, audit, signIn, submitSignIn, allowHttpError, USERS } from './fixtures.mjs';

const INITIAL = 'a-long-enough-password';

/** A unique e-mail address for a user made by this run. */
function uniqueEmail(prefix) {
  return `${prefix}.${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}@demo.kizuna`;
}

/** Creates a user through the API with the admin's session of `page`. */
async function createUser(page, { name, email, role = 'csm', password = INITIAL }) {
  const res = await page.request.post('/api/v1/users', {
    data: { name, email, role, password },
    headers: { 'x-kizuna-csrf': '1' },
  });
  expect(res.status(), await res.text()).toBe(201);
  return res.json();
}

/**
 * A second browser (its own cookies), signed in as `email`. Console errors
 * fail the test like the fixture's page does, except the HTTP answers in
 * `allowed` ([status, url pattern]).
 */
async function otherBrowser(browser, baseURL, email, password, allowed = []) {
  const context = await browser.newContext({ baseURL, locale: 'en-US' });
  const page = await context.newPage();
  const errors = [];
  page.on('console', (msg) => {
    const url = msg.location()?.url ?? '';
    const expected = allowed.some(([status, re]) => msg.text().includes(`status of ${status}`) && re.test(url));
    if (msg.type() === 'error' && !expected) errors.push(`console: ${msg.text()} (${url})`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  await page.goto('/login');
  await submitSignIn(page, email, password);
  await expect(page).toHaveURL(/\/accounts/);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
  return { context, page, errors };
}

/** Opens the manage dialog of the user with `email` on the users page. */
async function manage(page, email) {
  await page.goto(`/users?q=${encodeURIComponent(email)}`);
  const row = page.getByTestId('users-table').locator(`tr[data-email="${email}"]`);
  await expect(row).toBeVisible();
  await row.getByRole('button', { name: /^(Manage|管理)/ }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toBeVisible();
  return { row, dialog };
}

test('an admin disables a user signed in elsewhere: their next action lands on sign-in', async ({ page, browser, baseURL }) => {
  await signIn(page, USERS.admin);
  const email = uniqueEmail('leaving');
  await createUser(page, { name: 'Haruto Kimura', email });

  // The user works in another browser; their next call after being
  // disabled answers 401 (expected there), and signing in again is refused.
  const other = await otherBrowser(browser, baseURL, email, INITIAL, [
    [401, /\/api\/v1\/accounts\?/],
    [401, /\/api\/v1\/session$/],
  ]);

  await page.getByRole('link', { name: 'Users' }).click();
  await expect(page).toHaveURL(/\/users$/);
  const { row, dialog } = await manage(page, email);
  await expect(row).toContainText('Active');
  await expect(row).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/); // last sign-in, local time
  await audit(page, 'users-manage');
  await dialog.getByRole('button', { name: 'Disable user' }).click();
  // Nothing happens before the admin confirms.
  await expect(dialog.getByTestId('confirm-panel')).toContainText('Disable Haruto Kimura?');
  await dialog.getByTestId('confirm-action').click();
  await expect(dialog.getByTestId('manage-done')).toHaveText('✓ Haruto Kimura is disabled and has been signed out everywhere.');
  await expect(dialog.getByRole('button', { name: 'Enable user' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(row).toContainText('Disabled');

  // The disabled user's next action: back to the sign-in page, told why.
  await other.page.getByLabel('Status').selectOption('churned');
  await expect(other.page).toHaveURL(/\/login\?next=/);
  await expect(other.page.getByTestId('session-ended')).toBeVisible();
  await submitSignIn(other.page, email, INITIAL);
  await expect(other.page.getByTestId('form-failure')).toHaveText('The email or password is not correct.');
  expect(other.errors, 'console errors in the other browser').toEqual([]);
  await other.context.close();

  // Enabled again (confirmed), the user can sign in.
  const again = await manage(page, email);
  await again.dialog.getByRole('button', { name: 'Enable user' }).click();
  await again.dialog.getByTestId('confirm-action').click();
  await expect(again.dialog.getByTestId('manage-done')).toContainText('is enabled');
  const back = await otherBrowser(browser, baseURL, email, INITIAL);
  expect(back.errors).toEqual([]);
  await back.context.close();
});

test('a user changes their own password: the old one fails, the new one works', async ({ page, browser, baseURL }) => {
  allowHttpError(page, 400, /\/api\/v1\/session\/password$/);
  allowHttpError(page, 401, /\/api\/v1\/session$/);
  await signIn(page, USERS.admin);
  const email = uniqueEmail('changer');
  await createUser(page, { name: 'Yui Nakamura', email, role: 'manager' });
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.goto('/login');
  await submitSignIn(page, email, INITIAL);
  await expect(page.getByTestId('accounts-table')).toBeVisible();

  // Signed in on a second device too: that session ends with the change.
  const other = await otherBrowser(browser, baseURL, email, INITIAL, [[401, /\/api\/v1\/accounts\?/]]);

  await page.getByTestId('change-password-link').click();
  await expect(page).toHaveURL(/\/account\/password$/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Change password');

  // The shared rules first: nothing typed; then 11 kana (33 bytes, but
  // 11 characters) is too short; then two different new passwords.
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#current-password-error')).toHaveText('Enter your current password.');
  await page.getByLabel('Current password').fill(INITIAL);
  await page.getByLabel('New password', { exact: true }).fill('あいうえおかきくけこさ');
  await page.getByLabel('New password again').fill('あいうえおかきくけこさ');
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#new-password-error')).toHaveText('Use at least 12 characters.');
  await expect(page.getByLabel('New password', { exact: true })).toHaveAttribute('aria-invalid', 'true');
  const fresh = 'あいうえおかきくけこさし-new';
  await page.getByLabel('New password', { exact: true }).fill(fresh);
  await page.getByLabel('New password again').fill(`${fresh}x`);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#confirm-password-error')).toHaveText('The two new passwords do not match.');

  // The server's check: a wrong current password (400 on that field).
  await page.getByLabel('Current password').fill(`${INITIAL}-wrong`);
  await page.getByLabel('New password again').fill(fresh);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.locator('#current-password-error')).toHaveText('The current password is not correct.');
  await expect(page.getByTestId('password-changed')).toHaveCount(0);
  await audit(page, 'password-error');

  await page.getByLabel('Current password').fill(INITIAL);
  await page.getByRole('button', { name: 'Change password' }).click();
  await expect(page.getByTestId('password-changed')).toContainText('Your password has been changed.');
  await expect(page.getByLabel('Current password')).toHaveValue('');
  await audit(page, 'password');

  // This tab stays signed in (the server gave it a fresh session)…
  await page.getByRole('link', { name: 'Accounts' }).click();
  await expect(page.getByTestId('accounts-table')).toBeVisible();
  // …the other device is signed out at its next action.
  await other.page.getByLabel('Status').selectOption('churned');
  await expect(other.page).toHaveURL(/\/login\?next=/);
  expect(other.errors).toEqual([]);
  await other.context.close();

  // The old password no longer works; the new one does.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await submitSignIn(page, email, INITIAL);
  await expect(page.getByTestId('form-failure')).toHaveText('The email or password is not correct.');
  await submitSignIn(page, email, fresh);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
});

test('the last admin cannot be demoted, and a reset password is shown once and works', async ({ page, browser, baseURL }) => {
  allowHttpError(page, 409, /\/api\/v1\/users\/\d+$/);
  await signIn(page, USERS.admin);

  // The demo has one admin: demoting oneself would leave none.
  const { row, dialog } = await manage(page, USERS.admin);
  await expect(row).toContainText('You');
  await expect(dialog.getByTestId('self-disable-note')).toHaveText('You cannot disable your own account. Another admin can.');
  await expect(dialog.getByRole('button', { name: 'Disable user' })).toHaveCount(0);
  await dialog.getByRole('combobox', { name: 'Role' }).selectOption('manager');
  await dialog.getByRole('button', { name: 'Change role' }).click();
  await expect(dialog.getByTestId('form-failure')).toHaveText(
    'Kizuna needs at least one active admin. Make another user an admin first, then try again.',
  );
  await audit(page, 'users-last-admin');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await expect(row).toContainText('Admin');
  await expect(page.getByTestId('whoami')).toContainText('Admin');

  // A reset: confirmed, then the generated password is shown once.
  const email = uniqueEmail('forgetful');
  await createUser(page, { name: 'Sota Yamamoto', email });
  const reset = await manage(page, email);
  await reset.dialog.getByRole('button', { name: 'Reset password' }).click();
  await expect(reset.dialog.getByTestId('confirm-panel')).toContainText('Reset the password of Sota Yamamoto?');
  await reset.dialog.getByTestId('confirm-action').click();
  const secret = reset.dialog.getByLabel('New password for Sota Yamamoto');
  await expect(secret).toHaveValue(/^\S{20}$/);
  const generated = await secret.inputValue();
  await expect(reset.dialog.getByTestId('generated')).toContainText('Shown only once.');
  await expect(reset.dialog.getByTestId('copy-password')).toBeVisible();
  await audit(page, 'users-reset');
  await reset.dialog.getByRole('button', { name: 'Close' }).click();
  // Opened again, the password is gone for good.
  const later = await manage(page, email);
  await expect(later.dialog.getByTestId('generated')).toHaveCount(0);
  await later.dialog.getByRole('button', { name: 'Close' }).click();

  const user = await otherBrowser(browser, baseURL, email, generated);
  expect(user.errors).toEqual([]);
  await user.context.close();
});

test('the audit log shows a disabled user and a changed password; a manager sees data events only', async ({ page, browser, baseURL }) => {
  allowHttpError(page, 403, /\/api\/v1\/audit\?/);
  await signIn(page, USERS.admin);
  const disabledEmail = uniqueEmail('audited.off');
  const changerEmail = uniqueEmail('audited.pw');
  const disabled = await createUser(page, { name: 'Ren Kobayashi', email: disabledEmail });
  const changer = await createUser(page, { name: 'Mio Saito', email: changerEmail });
  const off = await page.request.patch(`/api/v1/users/${disabled.id}`, {
    data: { disabled: true },
    headers: { 'x-kizuna-csrf': '1' },
  });
  expect(off.ok(), await off.text()).toBeTruthy();
  const user = await otherBrowser(browser, baseURL, changerEmail, INITIAL);
  const changed = await user.page.request.put('/api/v1/session/password', {
    data: { current_password: INITIAL, new_password: 'another-long-password' },
    headers: { 'x-kizuna-csrf': '1' },
  });
  expect(changed.status(), await changed.text()).toBe(204);
  await user.context.close();

  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  const table = page.getByTestId('audit-table');
  await expect(table.locator('tbody tr').first()).toBeVisible();

  // Both events, each found with the event filter (kept in the URL).
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'User disabled' });
  await expect(page).toHaveURL(/kind=user_disabled/);
  const off1 = table.locator('tbody tr', { hasText: disabledEmail });
  await expect(off1).toHaveCount(1);
  await expect(off1).toContainText('User disabled');
  await expect(off1).toContainText('渡辺 健二');
  await expect(off1).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'Password changed' });
  await expect(page).toHaveURL(/kind=password_changed/);
  await expect(table.locator('tbody tr', { hasText: changerEmail })).toContainText('Mio Saito');

  // The user filter: everything Mio did, bookmarkable.
  await page.getByLabel('Event', { exact: true }).selectOption({ label: 'All events' });
  await page.getByLabel('User', { exact: true }).selectOption({ value: String(changer.id) });
  await expect(page).toHaveURL(new RegExp(`user=${changer.id}`));
  await expect(table.locator('tbody tr[data-kind="password_changed"]')).toHaveCount(1);
  await expect(table.locator('tbody tr[data-kind="sign_in"]')).toHaveCount(1);
  await page.reload();
  await expect(page.getByLabel('User', { exact: true })).toHaveValue(String(changer.id));
  await expect(table.locator('tbody tr[data-kind="password_changed"]')).toHaveCount(1);
  const href = await page.getByTestId('audit-export').getAttribute('href');
  expect(href).toMatch(new RegExp(`^/api/v1/audit/export\\?.*user=${changer.id}`));
  const csv = await page.request.get(href);
  expect(csv.ok()).toBeTruthy();
  const text = await csv.text();
  expect(text).toContain('password_changed');
  expect(text).not.toContain('user_disabled');
  await audit(page, 'audit');

  // A period that ends before it starts is caught in the form.
  await page.getByLabel('From', { exact: true }).fill('2030-01-10');
  await page.getByLabel('To', { exact: true }).fill('2030-01-01');
  await expect(page.locator('#audit-to-error')).toHaveText('The end of the period is before its start.');
  await page.getByLabel('To', { exact: true }).fill('2030-01-31');
  await expect(page.getByTestId('audit-empty')).toBeVisible();
  await expect(page).toHaveURL(/from=2030-01-10.*to=2030-01-31/);

  // The same page in Japanese.
  await page.goto(`/audit?user=${changer.id}`);
  await page.getByTestId('language-switch').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('監査ログ');
  await expect(table.locator('tbody tr[data-kind="password_changed"]')).toContainText('パスワード変更');
  await audit(page, 'audit');
  await page.getByTestId('language-switch').click();

  // A manager: a data event of their own, no security events, no security
  // filters; a bookmarked security filter is refused, not silently empty.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signIn(page, USERS.manager);
  const name = `Audit probe ${Date.now().toString(36)}`;
  const created = await page.request.post('/api/v1/accounts', {
    data: { name, mrr_minor: 0, currency: 'JPY', status: 'active' },
    headers: { 'x-kizuna-csrf': '1' },
  });
  expect(created.ok(), await created.text()).toBeTruthy();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expect(table.locator('tbody tr', { hasText: name })).toContainText('Account created');
  const kinds = await table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.kind));
  expect(kinds.length).toBeGreaterThan(0);
  const security = ['sign_in', 'sign_in_failed', 'sign_in_refused_disabled', 'sign_out', 'user_created', 'user_changed',
    'user_disabled', 'user_enabled', 'role_changed', 'password_changed', 'password_reset', 'session_key_rotated', 'audit_exported'];
  for (const kind of kinds) expect(security).not.toContain(kind);
  await expect(page.locator('#audit-event optgroup')).toHaveCount(1);
  await expect(page.locator('#audit-event option[value="kind:user_disabled"]')).toHaveCount(0);
  await expect(page.locator('#audit-event option[value="kind:account_created"]')).toHaveCount(1);
  await audit(page, 'audit-manager');
  await page.goto('/audit?kind=user_disabled');
  await expect(page.getByTestId('error-alert')).toHaveText('Your role does not allow this.');
});

test('the users and password pages read in Japanese', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
  await signIn(page, USERS.admin);
  await page.getByRole('link', { name: 'ユーザー管理' }).click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('ユーザー管理');
  await expect(page.getByTestId('users-table')).toContainText('最終ログイン');
  await audit(page, 'users-admin');
  const { dialog } = await manage(page, USERS.csm);
  await dialog.getByRole('button', { name: 'パスワードをリセット' }).click();
  await expect(dialog.getByTestId('confirm-panel')).toContainText('佐藤 美咲 さんのパスワードをリセットしますか？');
  await audit(page, 'users-manage');
  // Cancelled: the demo CSM keeps the password the other journeys use.
  await dialog.getByRole('button', { name: 'キャンセル' }).click();
  await expect(dialog.getByTestId('confirm-panel')).toHaveCount(0);
  await dialog.getByRole('button', { name: '閉じる' }).click();

  await page.getByTestId('change-password-link').click();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('パスワード変更');
  await page.getByRole('button', { name: 'パスワードを変更' }).click();
  await expect(page.locator('#current-password-error')).toHaveText('現在のパスワードを入力してください。');
  await audit(page, 'password');
});
