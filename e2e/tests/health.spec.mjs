// Health everywhere outside the workbench: the accounts list's health
// column (published score and band, `data-band` on each scored cell, "—"
// for unscored accounts), sorting by score and filtering by band in the
// URL, and the account page's score trend and per-measure breakdown
// ("why is this account red?"), for a manager and for a CSM. The demo data
// is scored by the default model (version 1), snapshotted at server start.
import { test, expect, audit, signIn, USERS, switchLanguage } from './fixtures.mjs';

const bandsOf = (page) =>
  page.getByTestId('accounts-table').locator('tbody td[data-band]').evaluateAll((cells) => cells.map((c) => c.dataset.band));

test('the accounts list shows health bands, sorts by score and filters by band', async ({ page }) => {
  await signIn(page, USERS.manager);
  await page.goto('/accounts?sort=score');
  const table = page.getByTestId('accounts-table');
  await expect(table.locator('thead [data-sort="score"]')).toHaveText(/Health/);
  await expect(table.locator('tbody td[data-band]').first()).toBeVisible();
  // Colour is never alone: each band cell names its band.
  const first = table.locator('tbody td[data-band]').first();
  const band = await first.getAttribute('data-band');
  await expect(first).toContainText({ red: 'Red', yellow: 'Yellow', green: 'Green' }[band]);
  // Ascending score: worst first, so the bands never go back down.
  const order = { red: 0, yellow: 1, green: 2 };
  const sorted = (await bandsOf(page)).map((b) => order[b]);
  expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
  const scores = await table.locator('tbody td[data-band] .health-score').allTextContents();
  const numbers = scores.map(Number);
  expect(numbers).toEqual([...numbers].sort((a, b) => a - b));
  await audit(page, 'accounts-health');

  // Filter by the band seen first; the URL carries it like the other filters.
  await page.getByTestId('filter-band').selectOption(band);
  await expect(page).toHaveURL(new RegExp(`band=${band}`));
  await expect.poll(async () => new Set(await bandsOf(page))).toEqual(new Set([band]));
  await expect(table.locator('tbody tr')).toHaveCount(await table.locator('tbody td[data-band]').count());
  await page.reload();
  await expect(page.getByTestId('filter-band')).toHaveValue(band);
  await expect.poll(async () => new Set(await bandsOf(page))).toEqual(new Set([band]));
  await switchLanguage(page);
  await expect(table.locator('thead [data-sort="score"]')).toHaveText(/ヘルス/);
  await expect(table.locator('tbody td[data-band]').first()).toContainText({ red: 'レッド', yellow: 'イエロー', green: 'グリーン' }[band]);
  await audit(page, 'accounts-health');
  await switchLanguage(page);
});

test('the account page explains a red account\'s score, biggest drags first, for a CSM too', async ({ page }) => {
  for (const who of [USERS.manager, USERS.csm]) {
    await signIn(page, who);
    // The worst-scored account the user can see.
    await page.goto('/accounts?sort=score&dir=asc');
    const cell = page.getByTestId('accounts-table').locator('tbody td[data-band]').first();
    await expect(cell).toBeVisible();
    const band = await cell.getAttribute('data-band');
    const score = await cell.locator('.health-score').textContent();
    await cell.locator('xpath=..').getByRole('link').first().click();
    await expect(page).toHaveURL(/\/accounts\/\d+$/);

    const health = page.getByTestId('account-health');
    await expect(health.getByTestId('health-current')).toHaveAttribute('data-band', band);
    await expect(health.getByTestId('health-current')).toContainText(score);
    const rows = health.getByTestId('health-breakdown').locator('tbody tr');
    await expect(rows.first()).toBeVisible();
    // Points lost, largest first; skipped measures (no value) at the end.
    const lost = (await health.getByTestId('points-lost').allTextContents())
      .filter((t) => t.trim() !== '')
      .map((t) => Number(t.replace('−', '')));
    expect(lost.length).toBeGreaterThan(0);
    expect(lost).toEqual([...lost].sort((a, b) => b - a));
    // The contributions add up to the score shown.
    const total = Number(await health.getByTestId('health-total').textContent());
    expect(Math.abs(total - Number(score))).toBeLessThanOrEqual(0.55);
    // The trend: at least the start-up snapshot, with hover values and a table.
    const chart = page.getByTestId('chart-score-trend');
    await expect(chart).toBeVisible();
    const canvas = chart.locator('canvas');
    await canvas.scrollIntoViewIfNeeded();
    const box = await canvas.boundingBox();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2);
    await expect(chart.getByTestId('chart-hover')).toContainText({ red: 'Red', yellow: 'Yellow', green: 'Green' }[band]);
    await audit(page, who === USERS.manager ? 'account-health' : 'account-health-csm');
    await switchLanguage(page);
    await expect(health.getByRole('heading', { name: 'ヘルススコア' })).toBeVisible();
    await audit(page, who === USERS.manager ? 'account-health' : 'account-health-csm');
    await switchLanguage(page);
    await page.context().clearCookies();
  }
});
