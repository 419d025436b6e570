// Onboarding sheet journeys: a CSM starts a low-touch sheet for one of their
// accounts, ticks every required item (unticking one with a reason on the
// way) and sees the sheet complete with its completion date; a manager edits
// a template. Every page is scanned with axe and photographed in English
// and Japanese.
import { test, expect, audit, signIn, USERS, switchLanguage, api } from './fixtures.mjs';

test('a CSM ticks all items of a sheet and sees it complete with the completion date', async ({ page }) => {
  await signIn(page, USERS.csm);
  const me = await api(page, 'GET', '/api/v1/session');
  // An account of the CSM without a low-touch sheet running.
  const accounts = await api(page, 'GET', `/api/v1/accounts?owner=${me.id}&status=active&per_page=50&sort=name`);
  const templates = await api(page, 'GET', '/api/v1/sheet-templates');
  const low = templates.items.find((t) => t.tier === 'low');
  let account;
  for (const a of accounts.items) {
    const sheets = await api(page, 'GET', `/api/v1/sheets?account=${a.id}&status=in_progress`);
    if (!sheets.items.some((s) => s.template_id === low.id)) {
      account = a;
      break;
    }
  }
  expect(account, 'an account without a running low-touch sheet').toBeTruthy();

  await page.getByRole('link', { name: 'Onboarding' }).click();
  await expect(page).toHaveURL(/\/sheets$/);
  await expect(page.getByTestId('onboarding-kpis')).toBeVisible();
  await audit(page, 'sheets');
  const start = page.getByTestId('start-sheet');
  await start.getByLabel('Template').selectOption(String(low.id));
  await start.getByLabel('Find an account').fill(account.name.slice(0, 6));
  await start.getByRole('button', { name: `Add ${account.name}` }).click();
  await start.getByRole('button', { name: 'Start a sheet' }).click();
  await expect(page).toHaveURL(/\/sheets\/\d+$/);
  await expect(page.getByTestId('sheet-name')).toHaveText('Low touch onboarding');
  await expect(page.getByTestId('sheet-open')).toContainText('3 required item(s) to go');
  await audit(page, 'sheet');

  const item = (title) => page.getByTestId('sheet-item').filter({ hasText: title });
  const tick = async (title, note) => {
    await item(title).getByRole('button', { name: `Done…: ${title}` }).click();
    if (note) await item(title).getByLabel('Note (optional)').fill(note);
    await item(title).getByRole('button', { name: 'Mark done' }).click();
    await expect(item(title)).toContainText('Done by');
  };
  await tick('Setup guide sent', 'Sent to the admin');
  await tick('Group training');
  // Unticking needs a reason, which the history keeps.
  await item('Group training').getByRole('button', { name: 'Undo…: Group training' }).click();
  const confirm = item('Group training').getByRole('button', { name: 'Mark not done' });
  await expect(confirm).toBeDisabled();
  await item('Group training').getByLabel('Reason (kept in the history)').fill('Wrong session; they join next month');
  await confirm.click();
  await expect(item('Group training')).toContainText('Due');
  await item('Group training').getByText('History').click();
  await expect(item('Group training')).toContainText('Wrong session; they join next month');
  await tick('Group training');
  await tick('Online meeting');

  // Every required item is done: complete, with today's date.
  const today = new Date();
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, '0')}-${String(today.getDate()).padStart(2, '0')}`;
  await expect(page.getByTestId('sheet-complete')).toContainText(`Completed on ${iso}`);
  await audit(page, 'sheet-complete');
  const sheetUrl = page.url();

  // The account page shows the sheet as complete.
  await page.goto(`/accounts/${account.id}`);
  await expect(page.getByTestId('account-sheets')).toContainText(`Completed ${iso}`);
  await switchLanguage(page);
  await page.goto(sheetUrl);
  await expect(page.getByTestId('sheet-complete')).toContainText(iso.replaceAll('-', '/'));
  await expect(page.getByRole('heading', { name: '導入期' })).toBeVisible();
  await audit(page, 'sheet-complete');
  await page.goto('/sheets?status=completed');
  await audit(page, 'sheets');
  await switchLanguage(page);
});

test('a manager reorders and edits a template; others read it', async ({ page }) => {
  await signIn(page, USERS.manager);
  await page.goto('/sheet-templates');
  await expect(page.getByTestId('templates-table')).toContainText('High touch onboarding');
  await audit(page, 'sheet-templates');
  await page.getByRole('link', { name: 'High touch onboarding' }).click();
  await expect(page.getByTestId('template-form')).toBeVisible();
  await expect(page.getByLabel('Item 1 (English)')).toHaveValue('Goal setting');
  await audit(page, 'sheet-template');
  // Move item 2 up, then save: the order sticks.
  await page.getByRole('button', { name: 'Move item 2 up' }).click();
  await expect(page.getByLabel('Item 1 (English)')).toHaveValue(/On-site meeting 1/);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/sheet-templates$/);
  await page.getByRole('link', { name: 'High touch onboarding' }).click();
  await expect(page.getByLabel('Item 1 (English)')).toHaveValue(/On-site meeting 1/);
  // Put it back, so other runs see the shipped order.
  await page.getByRole('button', { name: 'Move item 2 up' }).click();
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page).toHaveURL(/\/sheet-templates$/);
  await switchLanguage(page);
  await page.goto('/sheet-templates');
  await expect(page.getByTestId('templates-table')).toContainText('ハイタッチ オンボーディング');
  await audit(page, 'sheet-templates');
  await page.getByRole('link', { name: 'ハイタッチ オンボーディング' }).click();
  await expect(page.getByLabel('項目 1 (日本語)')).toHaveValue('ゴールの設定');
  await audit(page, 'sheet-template');
  // A template saved empty: every wrong field says why in the reader's
  // language (the shared rules, not the server's English), nothing is sent.
  await page.goto('/sheet-templates/new');
  await expect(page.getByTestId('template-form')).toBeVisible();
  await page.getByRole('button', { name: '保存', exact: true }).click();
  const form = page.getByTestId('template-form');
  await expect(page.getByRole('alert')).toHaveText('入力内容を確認してください。');
  const errors = form.locator('.texts-error');
  await expect(errors.first()).toHaveText('英語か日本語（または両方）で、それぞれ200文字以内で入力してください。');
  await expect(page.getByLabel('テンプレート名 (英語)')).toHaveAttribute('aria-invalid', 'true');
  await audit(page, 'sheet-template-errors');
  await switchLanguage(page);
  await expect(errors.first()).toHaveText('Write it in English or Japanese (or both), up to 200 characters each.');
  await audit(page, 'sheet-template-errors');
  await expect(page).toHaveURL(/\/sheet-templates\/new$/);
});
