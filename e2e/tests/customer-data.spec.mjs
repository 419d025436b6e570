// Customer-data journeys: CSV import with a preview that lists bad rows
// (each problem in the user's language by its code), a Japanese team's
// Shift_JIS sheet imported as it comes out of Excel, export of the imported
// accounts, merging a duplicate, a CSM's edit (managers' fields read-only)
// with a stale-version conflict, the account page's MRR chart and signals,
// MRR from the revenue history (read-only in the form, a noted warning in an
// accounts import), and files refused as a whole (translated banners).
// Each journey makes its own data (unique per run) through the UI or the API.
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { test, expect, audit, signIn, allowHttpError, USERS, CSRF, switchLanguage, api } from './fixtures.mjs';

const RUN = Date.now().toString(36).toUpperCase();

// Cells with a comma or quote are quoted, as spreadsheet programs write them.
const cell = (v) => (/[",]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
function csv(rows) {
  return Buffer.from(rows.map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n', 'utf-8');
}

const HEADER = ['external_id', 'name', 'domain', 'industry', 'plan', 'mrr', 'currency', 'owner_email', 'status'];
const good = (n) => [`E2E-${RUN}-${n}`, `E2E Import ${RUN} ${n}`, `imp${n}-${RUN.toLowerCase()}.example.co.jp`, 'SaaS', 'Growth', `${n}00,000`, 'JPY', USERS.csm, 'active'];

test('a manager imports accounts, fixes two bad rows, finds and exports them', async ({ page }) => {
  await signIn(page, USERS.manager);
  await page.getByRole('link', { name: 'Import', exact: true }).click();
  await expect(page).toHaveURL(/\/imports\/new$/);
  await audit(page, 'import-wizard');

  // Two bad rows: an unreadable amount (row 3) and an unknown currency (row 4).
  const bad = csv([HEADER, good(1), [...good(2).slice(0, 5), 'lots', 'JPY', USERS.csm, 'active'], [...good(3).slice(0, 6), 'XYZ', USERS.csm, 'active']]);
  await page.getByTestId('import-file').setInputFiles({ name: 'accounts-bad.csv', mimeType: 'text/csv', buffer: bad });
  await expect(page.getByTestId('mapping')).toBeVisible();
  await expect(page.locator('select[data-column="external_id"]')).toHaveValue('external_id');
  await page.getByTestId('preview-import').click();
  const errors = page.getByTestId('import-errors');
  await expect(errors).toBeVisible();
  await expect(errors.locator('tbody tr')).toHaveCount(2);
  // Each problem in the user's words, chosen by its stable code.
  await expect(errors.locator('tbody tr').nth(0)).toHaveAttribute('data-code', 'bad_amount');
  await expect(errors.locator('tbody tr').nth(0)).toContainText('3');
  await expect(errors.locator('tbody tr').nth(0)).toContainText('“MRR” is not an amount');
  await expect(errors.locator('tbody tr').nth(1)).toHaveAttribute('data-code', 'unknown_currency');
  await expect(errors.locator('tbody tr').nth(1)).toContainText('4');
  await expect(errors.locator('tbody tr').nth(1)).toContainText('Kizuna does not handle this currency (use JPY, USD, EUR).');
  await expect(page.getByTestId('apply-import')).toBeDisabled();
  await audit(page, 'import-preview-errors');
  await switchLanguage(page);
  await expect(errors.locator('tbody tr').nth(0)).toContainText('「MRR（月額）」が金額として読めません');
  await expect(errors.locator('tbody tr').nth(1)).toContainText('Kizuna で扱えない通貨です');
  await audit(page, 'import-preview-errors');
  await switchLanguage(page);

  // The corrected file previews cleanly and imports.
  const fixed = csv([HEADER, good(1), good(2), good(3)]);
  await page.getByTestId('import-file').setInputFiles({ name: 'accounts-fixed.csv', mimeType: 'text/csv', buffer: fixed });
  await page.getByTestId('preview-import').click();
  await expect(page.getByTestId('count-created')).toHaveText('3');
  await expect(page.getByTestId('apply-import')).toBeEnabled();
  await page.getByTestId('apply-import').click();
  await expect(page.getByTestId('import-summary')).toBeVisible();
  await expect(page.getByTestId('import-summary').getByTestId('count-created')).toHaveText('3');
  await audit(page, 'import-summary');

  // The new accounts are found by search, and the export of that search
  // holds them.
  await page.goto(`/accounts?q=E2E-${RUN}`);
  await expect(page.getByTestId('accounts-table').locator('tbody tr')).toHaveCount(3);
  await expect(page.getByTestId('accounts-table')).toContainText(`E2E Import ${RUN} 2`);
  await audit(page, 'accounts-list');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export-csv').click()]);
  const text = fs.readFileSync(await download.path(), 'utf-8');
  for (const n of [1, 2, 3]) expect(text).toContain(`E2E Import ${RUN} ${n}`);

  // History lists the import; the Japanese pages too.
  await page.getByRole('link', { name: 'Import history' }).click();
  await expect(page.getByTestId('history-table')).toContainText('accounts-fixed.csv');
  await audit(page, 'import-history');
  await switchLanguage(page);
  await audit(page, 'import-history');
  await page.goto(`/accounts?q=E2E-${RUN}`);
  await expect(page.getByTestId('accounts-table')).toBeVisible();
  await audit(page, 'accounts-list');
  await page.goto('/imports/new');
  await audit(page, 'import-wizard');
  await switchLanguage(page);
});

// NOTE: this journey passes only with the `health` branch's server side
// (header aliases such as 月額(円), and `currency=` on POST /imports for
// files without a currency column); until it is merged it fails at the
// preview, which the server then refuses.
test('a Japanese team imports its Shift_JIS sheet without touching the mapping', async ({ page, context, baseURL }) => {
  await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
  await signIn(page, USERS.manager);
  await page.goto('/imports/new');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('データ取り込み');

  // As Excel writes it: Shift_JIS, CRLF, Japanese headers, amounts with
  // thousands separators, no currency column.
  const header = ['外部ID', '会社名', '業種', '月額(円)', '担当者メール', 'ステータス'];
  const rows = [1, 2].map((n) => [`JP-${RUN}-${n}`, `株式会社サクラ${RUN}${n}`, '製造業', `${n}20,000`, USERS.csm, 'active']);
  const text = [header, ...rows].map((r) => r.map(cell).join(',')).join('\r\n') + '\r\n';
  const sjis = iconv.encode(text, 'Shift_JIS');
  expect(sjis.includes(Buffer.from('会社名', 'utf-8'))).toBeFalsy();
  await page.getByTestId('import-file').setInputFiles({ name: '顧客一覧.csv', mimeType: 'text/csv', buffer: sjis });

  // The server read it: encoding, headers, and the mapping it suggests.
  await expect(page.getByTestId('mapping')).toBeVisible();
  await expect(page.getByTestId('detected-format')).toContainText('Shift_JIS');
  await expect(page.locator('select[data-column="external_id"]')).toHaveValue('外部ID');
  await expect(page.locator('select[data-column="name"]')).toHaveValue('会社名');
  await expect(page.locator('select[data-column="mrr"]')).toHaveValue('月額(円)');
  await expect(page.locator('select[data-column="owner_email"]')).toHaveValue('担当者メール');
  // Our columns are named in Japanese, not by their keys.
  await expect(page.getByTestId('mapping').locator('label[for="map-owner_email"]')).toHaveText('担当者メール');
  await expect(page.getByTestId('mapping').locator('label[for="map-external_id"]')).toHaveText('外部ID');
  // No currency column: the wizard asks for one before checking.
  await expect(page.getByTestId('preview-import')).toBeDisabled();
  await expect(page.getByRole('alert').filter({ hasText: '通貨' })).toBeVisible();
  await audit(page, 'import-sjis-mapping');
  await page.getByTestId('file-currency').selectOption('JPY');

  await page.getByTestId('preview-import').click();
  await expect(page.getByTestId('count-created')).toHaveText('2');
  await expect(page.getByTestId('import-errors')).toHaveCount(0);
  await audit(page, 'import-sjis-preview');
  await page.getByTestId('apply-import').click();
  await expect(page.getByTestId('import-summary').getByTestId('count-created')).toHaveText('2');

  // The accounts are there, in yen, with their owner.
  await page.goto(`/accounts?q=JP-${RUN}`);
  const table = page.getByTestId('accounts-table');
  await expect(table.locator('tbody tr')).toHaveCount(2);
  await expect(table).toContainText(`株式会社サクラ${RUN}2`);
  await expect(table).toContainText('￥220,000');
  await page.goto('/imports');
  await expect(page.getByTestId('history-table')).toContainText('顧客一覧.csv');
});

test('a manager merges a duplicate account', async ({ page }) => {
  // The demo data has many likely duplicates: the page is long, and each
  // axe scan and full-page screenshot of it takes a while on 2 cores.
  test.setTimeout(180_000);
  await signIn(page, USERS.manager);
  const domain = `dup-${RUN.toLowerCase()}.example.co.jp`;
  const base = { domain, mrr_minor: 100000, currency: 'JPY', status: 'active' };
  const kept = await api(page, 'POST', '/api/v1/accounts', { ...base, name: `Dup Keep ${RUN}`, external_id: `DUP-${RUN}-A` });
  await api(page, 'POST', '/api/v1/accounts', { ...base, name: `Dup Other ${RUN}`, external_id: `DUP-${RUN}-B` });

  await page.getByRole('link', { name: 'Duplicates' }).click();
  const group = page.getByTestId('duplicate-group').filter({ hasText: domain });
  await expect(group).toHaveCount(1);
  await expect(group).toContainText(`Dup Keep ${RUN}`);
  await expect(group).toContainText(`Dup Other ${RUN}`);
  await audit(page, 'duplicates');
  await group.getByRole('radio').first().check();
  await group.getByTestId('merge').click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText(`Dup Other ${RUN}`);
  await audit(page, 'duplicates-confirm');
  await dialog.getByTestId('confirm-merge').click();
  await expect(page.getByTestId('merge-report')).toContainText(`Dup Keep ${RUN}`);
  await expect(page.getByTestId('duplicate-group').filter({ hasText: domain })).toHaveCount(0);
  const after = await page.request.get(`/api/v1/accounts/${kept.id}`);
  expect(after.ok()).toBeTruthy();
  await switchLanguage(page);
  await audit(page, 'duplicates');
  await switchLanguage(page);
});

test('a CSM edits an own account, and a stale edit shows the conflict', async ({ page }) => {
  await signIn(page, USERS.csm);
  const me = await (await page.request.get('/api/v1/session')).json();
  const list = await (await page.request.get(`/api/v1/accounts?owner=${me.id}&per_page=1`)).json();
  const account = list.items[0];
  await page.goto(`/accounts/${account.id}/edit`);
  const form = page.getByTestId('account-form');
  await expect(form).toBeVisible();

  // A CSM keeps the relationship fields of their own accounts; MRR,
  // currency, status, churn date, external id and owner are the managers':
  // shown read-only, with a note saying so.
  await expect(page.getByTestId('managers-note')).toContainText('changed by a CS manager');
  const managed = [/^MRR/, 'Currency', 'Status', 'Churn date', 'External id', 'Owner'];
  for (const label of managed) {
    await expect(form.getByLabel(label, { exact: typeof label === 'string' })).not.toBeEditable();
  }
  await expect(form.getByLabel('External id')).toHaveValue(account.external_id ?? '');
  for (const label of ['Plan', 'Domain', 'Champion', 'Churn reason']) {
    await expect(form.getByLabel(label, { exact: true })).toBeEditable();
  }
  await expect(form.getByLabel('Status')).toHaveAttribute('aria-describedby', /f-managers-note/);
  await audit(page, 'account-edit-csm');
  await switchLanguage(page);
  await expect(page.getByTestId('managers-note')).toContainText('CSマネージャーが変更します');
  await expect(form.getByLabel('ステータス', { exact: true })).not.toBeEditable();
  await audit(page, 'account-edit-csm');
  await switchLanguage(page);

  // Inline validation from the shared rules.
  const domain = await page.getByLabel('Domain').inputValue();
  await page.getByLabel('Domain').fill('not a domain');
  await page.getByTestId('save-account').click();
  await expect(page.locator('#f-domain-error')).toHaveText('Enter a company web domain such as example.co.jp.');
  await expect(page.getByLabel('Domain')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Domain').fill(domain);
  await page.getByLabel('Plan').fill(`Edited ${RUN}`);
  await page.getByTestId('save-account').click();
  await expect(page).toHaveURL(new RegExp(`/accounts/${account.id}$`));
  await expect(page.getByText(`Edited ${RUN}`)).toBeVisible();
  // The save changed the relationship field and nothing the CSM may not.
  const saved = await (await page.request.get(`/api/v1/accounts/${account.id}`)).json();
  expect(saved.plan).toBe(`Edited ${RUN}`);
  for (const key of ['mrr_minor', 'currency', 'status', 'churn_date', 'external_id']) expect(saved[key]).toEqual(account[key]);
  expect(saved.owner?.id).toBe(me.id);

  // Someone else saves while the form is open: this save is refused.
  await page.goto(`/accounts/${account.id}/edit`);
  await expect(page.getByTestId('account-form')).toBeVisible();
  const current = await (await page.request.get(`/api/v1/accounts/${account.id}`)).json();
  const body = {
    version: current.version,
    name: current.name,
    external_id: current.external_id,
    domain: current.domain,
    industry: current.industry,
    plan: `Other ${RUN}`,
    mrr_minor: current.mrr_minor,
    currency: current.currency,
    contract_start: current.contract_start,
    renewal_date: current.renewal_date,
    owner_id: current.owner?.id ?? null,
    status: current.status,
    churn_date: current.churn_date,
    churn_reason: current.churn_reason,
    flag_well_known: current.flag_well_known,
    flag_feedback: current.flag_feedback,
    flag_influencer: current.flag_influencer,
    expansion_potential: current.expansion_potential,
    champion_name: current.champion_name,
    champion_changed_on: current.champion_changed_on,
  };
  await api(page, 'PUT', `/api/v1/accounts/${account.id}`, body);
  await page.getByLabel('Plan').fill(`Mine ${RUN}`);
  await page.getByTestId('save-account').click();
  await expect(page.getByTestId('form-failure')).toContainText('Someone changed this since you opened it');
  await audit(page, 'account-edit-conflict');
  await switchLanguage(page);
  await expect(page.getByTestId('form-failure')).toContainText('他のユーザー');
  await audit(page, 'account-edit-conflict');
  await switchLanguage(page);
});

test('the account page shows the MRR chart, its table and the signals', async ({ page }) => {
  await signIn(page, USERS.manager);
  const id = `CHART-${RUN}`;
  const created = await api(page, 'POST', '/api/v1/accounts', {
    name: `Chart ${RUN}`, external_id: id, mrr_minor: 0, currency: 'JPY', status: 'active',
  });
  // Before there is any MRR history, a manager types the MRR the way
  // people write it; the form reads the yen sign and the separators.
  await page.goto(`/accounts/${created.id}/edit`);
  await page.getByLabel(/^MRR/).fill('lots');
  await page.getByTestId('save-account').click();
  await expect(page.locator('#f-mrr-error')).not.toBeEmpty();
  await page.getByLabel(/^MRR/).fill('￥540,000');
  await page.getByTestId('save-account').click();
  await expect(page).toHaveURL(new RegExp(`/accounts/${created.id}$`));
  await expect(page.getByTestId('account-mrr')).toContainText('540,000');
  const mrr = csv([
    ['external_id', 'month', 'product', 'mrr', 'currency'],
    [id, '2025-04', 'core', '500000', 'JPY'],
    [id, '2025-05', 'core', '520000', 'JPY'],
    [id, '2025-05', 'addon', '20000', 'JPY'],
  ]);
  const signals = csv([
    ['external_id', 'signal', 'date', 'value'],
    [id, 'days_since_login', '2025-05-01', '9'],
    [id, 'days_since_login', '2025-05-31', '3'],
  ]);
  for (const [kind, body] of [['mrr', mrr], ['signals', signals]]) {
    const resp = await page.request.post(`/api/v1/imports?kind=${kind}&dry_run=false&file_name=${kind}.csv`, {
      data: body, headers: { ...CSRF, 'content-type': 'text/csv' },
    });
    expect(resp.ok(), await resp.text()).toBeTruthy();
  }

  await page.goto(`/accounts/${created.id}`);
  const chart = page.getByTestId('mrr-chart');
  await expect(chart).toBeVisible();
  // The chart sits below the fold on a 1280×800 window: scroll to it as a
  // user would before pointing at a bar.
  await chart.scrollIntoViewIfNeeded();
  const box = await chart.boundingBox();
  await page.mouse.move(box.x + box.width * 0.85, box.y + box.height / 2);
  await expect(page.getByTestId('mrr-hover')).toContainText('540,000');
  await page.getByText('MRR as a table').click();
  await expect(page.getByTestId('mrr-table').locator('tbody tr')).toHaveCount(2);
  await expect(page.getByTestId('signals')).toContainText('Days since last login');
  await expect(page.getByTestId('signals')).toContainText('3');
  await audit(page, 'account-detail');
  await switchLanguage(page);
  await expect(page.getByTestId('mrr-chart')).toBeVisible();
  await audit(page, 'account-detail');
  await switchLanguage(page);
});

test('MRR from the revenue history is read-only in the form and ignored by an accounts import', async ({ page }) => {
  await signIn(page, USERS.manager);
  const id = `HIST-${RUN}`;
  const name = `History ${RUN}`;
  const created = await api(page, 'POST', '/api/v1/accounts', {
    name, external_id: id, mrr_minor: 0, currency: 'JPY', status: 'active',
  });
  const history = csv([
    ['external_id', 'month', 'product', 'mrr', 'currency'],
    [id, '2025-04', 'core', '500000', 'JPY'],
    [id, '2025-05', 'core', '540000', 'JPY'],
  ]);
  const resp = await page.request.post('/api/v1/imports?kind=mrr&dry_run=false&file_name=history.csv', {
    data: history, headers: { ...CSRF, 'content-type': 'text/csv' },
  });
  expect(resp.ok(), await resp.text()).toBeTruthy();

  // Even a manager sees MRR and currency read-only, with the reason.
  await page.goto(`/accounts/${created.id}/edit`);
  const form = page.getByTestId('account-form');
  await expect(form).toBeVisible();
  await expect(page.getByTestId('mrr-history-note')).toHaveText('MRR comes from the revenue history; import monthly MRR to change it.');
  await expect(page.getByTestId('managers-note')).toHaveCount(0);
  await expect(form.getByLabel(/^MRR/)).not.toBeEditable();
  await expect(form.getByLabel(/^MRR/)).toHaveValue('540,000');
  await expect(form.getByLabel('Currency', { exact: true })).not.toBeEditable();
  await expect(form.getByLabel('Status', { exact: true })).toBeEditable();
  await audit(page, 'account-edit-history');
  await switchLanguage(page);
  await expect(page.getByTestId('mrr-history-note')).toHaveText('MRRは月次の売上履歴から決まります。変更するには月次MRRを取り込んでください。');
  await audit(page, 'account-edit-history');
  await switchLanguage(page);
  // The other fields still save.
  await form.getByLabel('Plan').fill(`Hist plan ${RUN}`);
  await page.getByTestId('save-account').click();
  await expect(page).toHaveURL(new RegExp(`/accounts/${created.id}$`));
  await expect(page.getByTestId('account-mrr')).toContainText('540,000');

  // An accounts file with another MRR for it: the cell is ignored, with a
  // note in the preview (a warning, not an error: the import may go on).
  await page.goto('/imports/new');
  const file = csv([HEADER, [id, name, '', '', '', '600,000', 'JPY', '', 'active']]);
  await page.getByTestId('import-file').setInputFiles({ name: 'accounts-history.csv', mimeType: 'text/csv', buffer: file });
  const preview = page.getByTestId('import-preview');
  const warnings = preview.getByTestId('import-warnings');
  await expect(warnings.locator('tbody tr')).toHaveCount(1);
  const row = warnings.locator('tbody tr').first();
  await expect(row).toHaveAttribute('data-code', 'mrr_from_history');
  await expect(row).toContainText(name);
  await expect(row).toContainText("This account's MRR comes from its revenue history, so the file's MRR is ignored. Import monthly MRR to change it.");
  await expect(preview.getByTestId('import-warnings-count')).toContainText('it ignores some cells of the file (notes: 1');
  await expect(preview.getByTestId('import-errors')).toHaveCount(0);
  await expect(page.getByTestId('apply-import')).toBeEnabled();
  await audit(page, 'import-preview-warnings');
  await switchLanguage(page);
  await expect(row).toContainText('この顧客のMRRは月次の売上履歴から決まるため、ファイルのMRRは使われません。変更するには月次MRRを取り込んでください。');
  await expect(row).toContainText('MRR（月額）');
  await audit(page, 'import-preview-warnings');
  await page.getByTestId('apply-import').click();
  const summary = page.getByTestId('import-summary');
  await expect(summary.getByTestId('count-warnings')).toHaveText('1');
  await expect(summary.getByTestId('import-warnings')).toContainText('この顧客のMRRは月次の売上履歴から決まるため');
  await audit(page, 'import-summary-warnings');
  await switchLanguage(page);
  await expect(summary.getByTestId('import-warnings')).toContainText("This account's MRR comes from its revenue history");
  await audit(page, 'import-summary-warnings');
  const after = await (await page.request.get(`/api/v1/accounts/${created.id}`)).json();
  expect(after.mrr_minor).toBe(540000);
  expect(after.mrr_from_history).toBe(true);
});

test('a file the server refuses as a whole gets a banner in the user\'s language', async ({ page }) => {
  // The refusals are this test's expected answers.
  allowHttpError(page, 400, /\/api\/v1\/imports\?/);
  allowHttpError(page, 413, /\/api\/v1\/imports\?/);
  await signIn(page, USERS.manager);
  await page.goto('/imports/new');
  const alert = page.getByTestId('error-alert');

  // 101 columns: 400 too_many_columns, the limit named.
  const wide = csv([Array.from({ length: 101 }, (_, i) => `c${i}`), Array.from({ length: 101 }, () => 'x')]);
  await page.getByTestId('import-file').setInputFiles({ name: 'wide.csv', mimeType: 'text/csv', buffer: wide });
  await expect(alert).toHaveText('The file has more than 100 columns. Remove the columns Kizuna does not read and try again.');
  await switchLanguage(page);
  await expect(alert).toHaveText('ファイルの列数が上限（100列）を超えています。Kizuna が読まない列を削除してからもう一度お試しください。');

  // 200,001 data rows: 413 too_many_rows.
  const tall = Buffer.from(`external_id\n${'x\n'.repeat(200_001)}`, 'utf-8');
  await page.getByTestId('import-file').setInputFiles({ name: 'tall.csv', mimeType: 'text/csv', buffer: tall });
  await expect(alert).toHaveText('ファイルのデータ行が1回の取り込みの上限（200,000行）を超えています。複数のファイルに分けてください。');
  await audit(page, 'import-file-refused');
  await switchLanguage(page);
  await expect(alert).toHaveText('The file has more than 200,000 data rows, the most one import takes. Split it into several files.');
  await audit(page, 'import-file-refused');
});
