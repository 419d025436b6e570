// Signals: a manager adds, edits and retires a team signal on the signals
// page (inline errors from the shared rules; the retired one listed apart,
// history kept); a CSM reads the page without any edit control; and the
// headline journey of issue 10 — a manager imports a wide signals sheet as
// Excel writes it (Shift_JIS, Japanese headers, blank cells) with a column
// no signal matches, defines that column as a signal right in the wizard,
// imports, and scores with it.
import iconv from 'iconv-lite';
import { test, expect, audit, signIn, allowHttpError, USERS, switchLanguage, api } from './fixtures.mjs';

const RUN = Date.now().toString(36).toLowerCase();

test('a CSM sees the signals read-only', async ({ page }) => {
  await signIn(page, USERS.csm);
  await page.getByRole('link', { name: 'Signals' }).click();
  await expect(page).toHaveURL(/\/signals$/);
  await expect(page.getByTestId('signals-read-only')).toBeVisible();
  const active = page.getByTestId('signals-active');
  await expect(active.locator('tr[data-signal="days_since_login"]')).toBeVisible();
  await expect(page.getByTestId('new-signal')).toHaveCount(0);
  await expect(page.getByTestId('edit-signal')).toHaveCount(0);
  await expect(page.getByTestId('retire-signal')).toHaveCount(0);
  await audit(page, 'signals-csm');
  await switchLanguage(page);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('シグナル');
  await audit(page, 'signals-csm');
  await switchLanguage(page);
});

test('a manager adds, edits and retires a signal; the retired one is listed apart', async ({ page }) => {
  await signIn(page, USERS.manager);
  await page.goto('/signals');
  await page.getByTestId('new-signal').click();
  const form = page.getByTestId('signal-form');
  // The shared rules, before anything is sent.
  await form.getByLabel('Key (CSV column)').fill('Seats Used');
  await page.getByTestId('save-signal').click();
  await expect(form.getByLabel('Key (CSV column)')).toHaveAttribute('aria-invalid', 'true');
  await expect(form.getByLabel('Label (English)')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.locator('#signal-key-error')).toContainText('lower-case');
  const key = `seats_${RUN}`;
  await form.getByLabel('Key (CSV column)').fill(key);
  await form.getByLabel('Label (English)').fill(`Seats used ${RUN}`);
  await form.getByLabel('Label (Japanese)').fill(`利用席数${RUN}`);
  await form.getByLabel('Unit').fill('seats');
  await audit(page, 'signals-form');
  await page.getByTestId('save-signal').click();
  await expect(page.getByTestId('signal-saved')).toContainText(`Seats used ${RUN}`);
  const row = page.getByTestId('signals-active').locator(`tr[data-signal="${key}"]`);
  await expect(row).toContainText(`利用席数${RUN}`);
  await expect(row).toContainText('Higher is healthier');

  // The same key again: the server's 409, in words.
  allowHttpError(page, 409, /\/api\/v1\/signals$/);
  await page.getByTestId('new-signal').click();
  await form.getByLabel('Key (CSV column)').fill(key);
  await form.getByLabel('Label (English)').fill('Again');
  await page.getByTestId('save-signal').click();
  await expect(page.getByTestId('form-failure')).toContainText('already exists');
  await form.getByRole('button', { name: 'Cancel' }).click();

  await row.getByTestId('edit-signal').click();
  await form.getByLabel('Label (English)').fill(`Seats in use ${RUN}`);
  await page.getByTestId('direction-lower').check();
  await page.getByTestId('save-signal').click();
  await expect(row).toContainText(`Seats in use ${RUN}`);
  await expect(row).toContainText('Lower is healthier');

  page.once('dialog', (d) => d.accept());
  await row.getByTestId('retire-signal').click();
  const retired = page.getByTestId('signals-retired').locator(`tr[data-signal="${key}"]`);
  await expect(retired).toBeVisible();
  await expect(page.getByTestId('signals-active').locator(`tr[data-signal="${key}"]`)).toHaveCount(0);
  await audit(page, 'signals-manager');
  await switchLanguage(page);
  await expect(page.getByRole('heading', { name: '廃止したシグナル' })).toBeVisible();
  await audit(page, 'signals-manager');
  await switchLanguage(page);
  await retired.getByTestId('restore-signal').click();
  await expect(page.getByTestId('signals-active').locator(`tr[data-signal="${key}"]`)).toBeVisible();
});

test('a manager imports a wide signals sheet with a new column, defines it in the wizard, and scores with it', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
  await signIn(page, USERS.manager);
  const ids = [1, 2].map((n) => `WIDE-${RUN}-${n}`);
  const accounts = [];
  for (const id of ids) {
    accounts.push(await api(page, 'POST', '/api/v1/accounts', {
      name: `ワイド${RUN}${id.slice(-1)}`, external_id: id, mrr_minor: 100000, currency: 'JPY', status: 'active',
    }));
  }
  // As Excel writes it: Shift_JIS, CRLF, Japanese headers, a blank cell in
  // each row, and a column no signal has yet.
  const column = `サポート満足度${RUN}`;
  const text = [
    ['取引先ID', '日付', 'Setup progress', column],
    [ids[0], '2025/6/30', '80', '4'],
    [ids[1], '2025/6/30', '', '2'],
  ].map((r) => r.join(',')).join('\r\n') + '\r\n';
  const sjis = iconv.encode(text, 'Shift_JIS');
  await page.goto('/imports/new');
  await page.locator('input[name="import-kind"][value="signals"]').check();
  await page.getByTestId('import-file').setInputFiles({ name: '利用状況.csv', mimeType: 'text/csv', buffer: sjis });
  await expect(page.getByTestId('detected-format')).toContainText('Shift_JIS');
  // Auto-detected: one column per signal.
  await expect(page.getByTestId('layout-wide')).toBeChecked();
  await expect(page.locator('select[data-column="external_id"]')).toHaveValue('取引先ID');
  await expect(page.locator('select[data-column="date"]')).toHaveValue('日付');
  const unknown = page.getByTestId('unknown-columns');
  await expect(unknown).toContainText(column);
  await expect(page.getByTestId('count-created')).toHaveText('1');
  await audit(page, 'import-wide-unknown');

  // Define it right here: the Japanese label comes from the header.
  await unknown.getByTestId('define-signal').click();
  const form = page.getByTestId('define-signal-form');
  await expect(form.getByLabel('表示名（日本語）')).toHaveValue(column);
  const key = `support_sat_${RUN}`;
  await form.getByLabel('キー（CSVの列名）').fill(key);
  await form.getByLabel('表示名（英語）').fill(`Support satisfaction ${RUN}`);
  await form.getByLabel('単位').fill('1-5');
  await audit(page, 'import-wide-define');
  await form.getByTestId('save-signal').click();
  // The check runs again: the column is now a signal; blank cells are not values.
  await expect(page.getByTestId('unknown-columns')).toHaveCount(0);
  await expect(page.getByTestId('count-created')).toHaveText('3');
  await page.getByTestId('apply-import').click();
  await expect(page.getByTestId('import-summary').getByTestId('count-created')).toHaveText('3');

  // Score with it: the published model plus the new measure.
  const models = await api(page, 'GET', '/api/v1/health-models');
  const current = (models.items ?? models).find((m) => m.current);
  const model = structuredClone(current.model);
  model.measures.push({ signal: key, weight: 30, missing: 'skip', curve: { kind: 'linear', points: [[1, 0], [5, 100]] } });
  const draft = await api(page, 'POST', '/api/v1/health-models', { name: `Support ${RUN}`, model, note: 'e2e' });
  await api(page, 'POST', `/api/v1/health-models/${draft.id}/publish`, { version: draft.version, note: `support satisfaction ${RUN}` });
  await page.goto(`/accounts/${accounts[1].id}`);
  const row = page.getByTestId('health-breakdown').locator(`tr[data-signal="${key}"]`);
  await expect(row).toContainText(column);
  await expect(row).toContainText('2 1-5');
  await expect(row).toContainText('25');
  const setup = page.getByTestId('health-breakdown').locator('tr[data-signal="setup_progress"]');
  await expect(setup).toContainText('欠損');
  await audit(page, 'account-health-custom');
});
