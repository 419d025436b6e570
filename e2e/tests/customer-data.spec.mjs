// Customer-data journeys: CSV import with a preview that lists bad rows,
// a Japanese team's Shift_JIS sheet imported as it comes out of Excel,
// export of the imported accounts, merging a duplicate, a CSM's edit with a
// stale-version conflict, and the account page's MRR chart and signals.
// Each journey makes its own data (unique per run) through the UI or the API.
import fs from 'node:fs';
import iconv from 'iconv-lite';
import { test, expect, audit, signIn, USERS, switchLanguage, api } from './fixtures.mjs';

const RUN = Date.now().toString(36).toUpperCase();
const CSRF = { 'x-kizuna-csrf': '1' };

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
  await expect(errors.locator('tbody tr').nth(0)).toContainText('3');
  await expect(errors.locator('tbody tr').nth(0)).toContainText('mrr');
  await expect(errors.locator('tbody tr').nth(1)).toContainText('4');
  await expect(errors.locator('tbody tr').nth(1)).toContainText('currency');
  await expect(page.getByTestId('apply-import')).toBeDisabled();
  await audit(page, 'import-preview-errors');

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
  await expect(page.getByTestId('account-form')).toBeVisible();
  await audit(page, 'account-edit');

  // Inline validation from the shared rules. (A CSM keeps the
  // relationship fields of their own accounts; MRR, currency, status and
  // external id are the managers'.)
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
  await expect(page.getByTestId('form-failure')).toContainText('Someone changed this account');
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
