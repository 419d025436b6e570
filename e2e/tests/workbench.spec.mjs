// The health-score workbench (issue 10): a manager's slider moves re-score
// every account in the browser (histogram, band counts, AUC), suggested
// weights with both AUCs, publishing and the accounts list's new bands, the
// read-only view of CSMs, and a stale publish from a second browser.
import { test, expect, audit, signIn, allowHttpError, USERS } from './fixtures.mjs';

/** Opens the workbench and waits until the data is scored. */
async function openWorkbench(page) {
  await page.goto('/workbench');
  await expect(page.getByTestId('wb-results')).toBeVisible();
  await expect(page.getByTestId('count-red')).not.toHaveText('');
  await expect(page.getByTestId('wb-results')).toContainText(/accounts in memory|社のデータを読み込み済み/);
}

/** What the live results show now: counts per band, AUC, histogram pixels. */
async function snapshot(page) {
  return {
    red: await page.getByTestId('count-red').textContent(),
    yellow: await page.getByTestId('count-yellow').textContent(),
    green: await page.getByTestId('count-green').textContent(),
    auc: await page.getByTestId('auc').textContent(),
    histogram: await page.getByTestId('wb-histogram').evaluate((c) => c.toDataURL()),
  };
}

/** Moves the first measure's weight slider to `value` (an input event). */
async function setWeight(page, value, measure = 0) {
  await page.getByTestId(`measure-${measure}`).getByTestId('weight-slider').fill(String(value));
}

test('a manager moves a weight and the histogram, band counts and AUC follow; suggested weights show both AUCs; undo restores', async ({ page, context, baseURL }) => {
  await signIn(page, USERS.manager);
  await openWorkbench(page);
  await audit(page, 'workbench');
  const before = await snapshot(page);
  expect(Number(before.auc)).toBeGreaterThan(0.5);

  // Put all the weight on one measure: the bands and the AUC change.
  const measures = await page.locator('[data-testid^="measure-"]').count();
  expect(measures).toBeGreaterThan(1);
  for (let i = 1; i < measures; i += 1) await setWeight(page, 0, i);
  await setWeight(page, 100, 0);
  const after = await snapshot(page);
  expect(after.histogram).not.toEqual(before.histogram);
  expect([after.red, after.yellow, after.green]).not.toEqual([before.red, before.yellow, before.green]);
  expect(after.auc).not.toEqual(before.auc);
  await expect(page.getByTestId('movement')).not.toHaveText(/: 0 accounts up, 0 down/);

  // The number input and the slider are the same weight.
  await expect(page.getByTestId('measure-0').getByTestId('weight-number')).toHaveValue('100');

  // Suggest weights: both AUCs, then apply (one undoable step).
  await page.getByTestId('suggest-button').click();
  await expect(page.getByTestId('current-auc')).toHaveText(after.auc);
  await expect(page.getByTestId('suggested-auc')).toHaveText(/^0\.\d{3}$/);
  const suggested = await page.getByTestId('suggested-auc').textContent();
  await page.getByTestId('apply-suggestion').click();
  await expect(page.getByTestId('auc')).toHaveText(suggested);
  await page.getByTestId('undo').click();
  await expect(page.getByTestId('auc')).toHaveText(after.auc);
  // Keyboard: Shift+Ctrl+Z redoes.
  await page.getByTestId('undo').focus();
  await page.keyboard.press('Shift+Control+Z');
  await expect(page.getByTestId('auc')).toHaveText(suggested);

  // The draft survives a reload.
  await page.reload();
  await expect(page.getByTestId('auc')).toHaveText(suggested);

  await context.addCookies([{ name: 'kizuna_lang', value: 'ja', url: baseURL }]);
  await page.reload();
  await expect(page.getByRole('heading', { name: 'ヘルススコア設計ワークベンチ' })).toBeVisible();
  await expect(page.getByTestId('auc')).toHaveText(suggested);
  await audit(page, 'workbench');
});

test('a manager publishes with a note; the history lists it and the accounts list shows the new bands', async ({ page }) => {
  await signIn(page, USERS.manager);
  await openWorkbench(page);
  // Raise the green cut-off so the bands visibly move.
  await page.getByTestId('cut-green').fill('90');
  await page.getByTestId('cut-red').fill('60');
  const red = Number((await page.getByTestId('count-red').textContent()).replace(/\D/g, ''));
  expect(red).toBeGreaterThan(0);
  await page.getByTestId('publish-note').fill('Stricter bands (e2e)');
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('wb-status')).toContainText(/Published as version \d+/);
  const history = page.getByTestId('version-history');
  await expect(history.locator('tbody tr').first()).toContainText('Stricter bands (e2e)');
  await expect(page.getByTestId('base-version')).toContainText(/based on published version \d+/);
  await audit(page, 'workbench-published');

  // Compare the new version with the previous one.
  const ids = await history.locator('tbody tr').count();
  expect(ids).toBeGreaterThan(1);
  await page.locator('#wb-compare-a').selectOption({ index: 2 });
  await page.locator('#wb-compare-b').selectOption({ index: 1 });
  await page.getByTestId('compare').click();
  await expect(page.getByTestId('comparison')).toContainText(/accounts move to a better band/);

  // The accounts list (health column built on the `wbui` branch) carries
  // the published bands: with a red cut-off of 60 there are red accounts.
  await page.goto('/accounts');
  const table = page.getByTestId('accounts-table');
  await expect(table.getByRole('columnheader', { name: 'Health' })).toBeVisible();
  await expect(table.locator('[data-band="red"]').first()).toBeVisible();
});

test('a CSM sees the published model and its results without edit or publish controls', async ({ page }) => {
  await signIn(page, USERS.csm);
  await openWorkbench(page);
  await expect(page.getByTestId('read-only')).toBeVisible();
  await expect(page.getByTestId('base-version')).toHaveText(/^Published model, version \d+$/);
  await expect(page.getByTestId('wb-readonly-measures')).toBeVisible();
  await expect(page.getByTestId('publish')).toHaveCount(0);
  await expect(page.getByTestId('save-draft')).toHaveCount(0);
  await expect(page.getByTestId('weight-slider')).toHaveCount(0);
  await expect(page.getByTestId('suggest-button')).toHaveCount(0);
  await expect(page.getByTestId('auc')).not.toHaveText('');
  await audit(page, 'workbench-csm');
});

test('a second browser publishing a draft of a superseded version gets the conflict message and overwrites nothing', async ({ page, browser }) => {
  allowHttpError(page, 409, /\/api\/v1\/health-models\/\d+\/publish$/);
  await signIn(page, USERS.manager);
  await openWorkbench(page);
  await setWeight(page, 3, 0);
  await page.getByTestId('save-draft').click();
  await expect(page.getByTestId('wb-status')).toContainText('Draft saved.');

  // An admin, in another browser, publishes first.
  const other = await browser.newContext();
  const admin = await other.newPage();
  await signIn(admin, USERS.admin);
  await openWorkbench(admin);
  await setWeight(admin, 7, 0);
  await admin.getByTestId('publish-note').fill('Admin first');
  await admin.getByTestId('publish').click();
  await expect(admin.getByTestId('wb-status')).toContainText(/Published as version \d+/);
  const published = await (await admin.request.get('/api/v1/health-models')).json();
  const current = published.items.find((m) => m.current);
  await other.close();

  await page.getByTestId('publish-note').fill('Too late');
  await page.getByTestId('publish').click();
  await expect(page.getByTestId('form-failure')).toContainText('Another version was published after you started this draft');
  await expect(page.getByTestId('reload')).toBeVisible();
  const after = await (await page.request.get('/api/v1/health-models')).json();
  expect(after.items.find((m) => m.current).id).toBe(current.id);
  expect(after.items.some((m) => m.note === 'Too late' && m.status === 'published')).toBe(false);
  await audit(page, 'workbench-conflict');

  // Reloading starts from the new published version.
  await page.getByTestId('reload').click();
  await expect(page.getByTestId('base-version')).toContainText(`version ${current.published_version}`);
});
