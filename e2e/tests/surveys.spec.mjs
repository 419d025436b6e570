// Survey journeys: a manager creates an NPS survey; a CSM records an answer
// heard on a call from the account page and finds it in the answers list
// (with the follow-up task a detractor creates); a customer answers through
// a personal link on a phone and the second visit says it was answered.
// Every page is scanned with axe and photographed in English and Japanese.
import { test, expect, audit, signIn, USERS, switchLanguage, api } from './fixtures.mjs';

const RUN = Date.now().toString(36).toUpperCase();

/** Creates a survey through the API as the signed-in manager. */
async function createSurvey(page, kind, name) {
  return api(page, 'POST', '/api/v1/surveys', {
    kind,
    name,
    question: { en: 'How likely are you to recommend us to a colleague?', ja: '当社を同僚にすすめる可能性はどのくらいありますか？' },
    follow_up: { en: 'What is the main reason for your score?', ja: 'その点数の一番の理由を教えてください。' },
  });
}

/** An active account the signed-in CSM owns. */
async function ownAccount(page) {
  const me = await api(page, 'GET', '/api/v1/session');
  const list = await api(page, 'GET', `/api/v1/accounts?owner=${me.id}&status=active&per_page=1&sort=name`);
  expect(list.items.length).toBe(1);
  return list.items[0];
}

test('a manager creates an NPS survey with the question in both languages', async ({ page }) => {
  await signIn(page, USERS.manager);
  await page.getByRole('link', { name: 'Surveys' }).click();
  await expect(page).toHaveURL(/\/surveys$/);
  await audit(page, 'surveys');
  await page.getByTestId('new-survey').click();
  await expect(page.getByLabel('Question (English)', { exact: true })).toHaveValue(/recommend/);
  await audit(page, 'survey-form');
  // Submitting without a name shows the field's error and sends nothing.
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.locator('#survey-name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Name (shown to staff)').fill(`Relationship NPS ${RUN}`);
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(page.getByTestId('survey-name')).toHaveText(`Relationship NPS ${RUN}`);
  await expect(page.getByTestId('answers-empty')).toBeVisible();
  await audit(page, 'survey-answers-empty');
  await switchLanguage(page);
  await page.goto('/surveys/new');
  await expect(page.getByLabel('質問 (日本語)', { exact: true })).toHaveValue(/すすめる/);
  await audit(page, 'survey-form');
  await page.goto('/surveys');
  await expect(page.getByTestId('surveys-table')).toContainText(`Relationship NPS ${RUN}`);
  await audit(page, 'surveys');
});

test('a CSM records an NPS answer for an account and sees it in the answers list', async ({ page, browser }) => {
  // Setup by a manager: the survey to answer.
  const setup = await browser.newPage();
  await signIn(setup, USERS.manager);
  const survey = await createSurvey(setup, 'nps', `Call NPS ${RUN}`);
  await setup.close();

  await signIn(page, USERS.csm);
  const account = await ownAccount(page);
  await page.goto(`/accounts/${account.id}`);
  await expect(page.getByTestId('account-tasks')).toBeVisible();
  await page.getByTestId('account-record-answer').click();
  await expect(page).toHaveURL(/\/surveys\/record\?account=/);
  await expect(page.getByTestId('chosen-account')).toContainText(account.name);
  await page.getByLabel('Survey', { exact: true }).selectOption(String(survey.id));
  await audit(page, 'record-answer');
  await page.getByRole('radio', { name: /^3 – Detractors/ }).check();
  await page.getByLabel('What is the main reason for your score?').fill(`Onboarding felt slow (${RUN})`);
  await page.getByRole('button', { name: 'Save the answer' }).click();

  // The answer list of the survey, filtered to the account, shows it as a
  // proxy answer entered by the CSM.
  await expect(page).toHaveURL(new RegExp(`/surveys/${survey.id}\\?account=${account.id}$`));
  const rows = page.getByTestId('answers-table').locator('tbody tr');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(account.name);
  await expect(rows.first()).toContainText(`Onboarding felt slow (${RUN})`);
  await expect(rows.first()).toContainText('entered by');
  await expect(rows.first().locator('[data-group="negative"]')).toContainText('3');
  await expect(page.getByTestId('summary-score')).toHaveText('-100 ±0');
  await audit(page, 'survey-answers');

  // Filtering by channel keeps it (call) or hides it (link).
  await page.getByLabel('Channel', { exact: true }).selectOption('link');
  await expect(page.getByTestId('answers-empty')).toBeVisible();
  await page.getByLabel('Channel', { exact: true }).selectOption('call');
  await expect(rows).toHaveCount(1);

  // The detractor created a follow-up task on the account page; done.
  await page.goto(`/accounts/${account.id}`);
  const tasks = page.getByTestId('account-tasks');
  await expect(tasks).toContainText(`NPS 3/10 — Call NPS ${RUN}`);
  await audit(page, 'account-with-work');
  await tasks.locator('tr', { hasText: `Call NPS ${RUN}` }).getByRole('button', { name: 'Mark done' }).click();
  await expect(tasks).not.toContainText(`Call NPS ${RUN}`);

  await switchLanguage(page);
  await page.goto(`/surveys/${survey.id}`);
  await expect(page.getByTestId('answers-table')).toContainText('代理入力');
  await audit(page, 'survey-answers');
  await page.goto(`/surveys/record?account=${account.id}&survey=${survey.id}`);
  await expect(page.getByTestId('record-form')).toBeVisible();
  await audit(page, 'record-answer');
  await page.goto('/tasks');
  await expect(page.getByRole('heading', { name: 'タスク' })).toBeVisible();
  await audit(page, 'tasks');
  await switchLanguage(page);
  await page.goto('/tasks');
  await audit(page, 'tasks');
});

test('a customer answers a personal link on a phone and the second visit says it was answered', async ({ page, browser }) => {
  await signIn(page, USERS.csm);
  const setup = await browser.newPage();
  await signIn(setup, USERS.manager);
  const survey = await createSurvey(setup, 'nps', `Link NPS ${RUN}`);
  await setup.close();
  const account = await ownAccount(page);

  // The CSM issues a link for their account on the survey's links tab.
  await page.goto(`/surveys/${survey.id}?tab=links`);
  await page.getByLabel('Find an account').fill(account.name.slice(0, 6));
  await page.getByRole('button', { name: `Add ${account.name}` }).click();
  await page.getByLabel('Language', { exact: true }).selectOption('ja');
  await page.getByRole('button', { name: /Issue 1 link/ }).click();
  const field = page.getByRole('textbox', { name: `Copy the link for ${account.name}` });
  await expect(field).toHaveValue(/\/s\/[A-Za-z0-9_-]{43}$/);
  const url = await field.inputValue();
  await expect(page.getByTestId('links-table')).toContainText('Open');
  await audit(page, 'survey-links');

  // The customer: no session, a 360 px phone.
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'ja-JP', isMobile: true, hasTouch: true });
  const customer = await phone.newPage();
  const errors = [];
  customer.on('pageerror', (e) => errors.push(e.message));
  await customer.goto(url);
  await expect(customer.locator('html')).toHaveAttribute('lang', 'ja');
  await expect(customer.getByRole('heading', { level: 1 })).toContainText('すすめる');
  expect(await customer.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  // Nothing of the staff app is loaded.
  const loaded = await customer.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name));
  expect(loaded.some((n) => n.includes('.wasm') || n.includes('kizuna-app'))).toBe(false);
  await audit(customer, 'public-survey');
  // Sending without a score asks for one.
  await customer.getByRole('button', { name: '回答を送信する' }).click();
  await expect(customer.locator('#msg-pick')).toBeVisible();
  await customer.getByLabel('9', { exact: true }).check();
  await customer.getByLabel(/その点数の一番の理由/).fill('サポートが丁寧です');
  await customer.getByRole('button', { name: '回答を送信する' }).click();
  await expect(customer.locator('#done-thanks')).toBeVisible();
  await expect(customer.locator('#done-thanks')).toContainText('ありがとうございました');
  await audit(customer, 'public-survey-thanks');

  // The second visit: already answered, no form.
  await customer.reload();
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('回答済みです');
  await expect(customer.locator('form')).toHaveCount(0);
  await audit(customer, 'public-survey-answered');
  // The English version of the page, and an unknown link.
  await customer.goto(`${url}?lang=en`);
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('Already answered');
  await audit(customer, 'public-survey-answered');
  await customer.goto(`${url.slice(0, -4)}XXXX`);
  await expect(customer.getByRole('heading', { level: 1 })).toHaveText('リンクが見つかりません');
  await audit(customer, 'public-survey-unknown');
  expect(errors).toEqual([]);
  await phone.close();

  // Staff see the answer as a direct one and the link as answered.
  await page.goto(`/surveys/${survey.id}`);
  const row = page.getByTestId('answers-table').locator('tbody tr').first();
  await expect(row).toContainText('サポートが丁寧です');
  await expect(row).toContainText('Link (direct)');
  await page.goto(`/surveys/${survey.id}?tab=links`);
  await expect(page.getByTestId('links-table')).toContainText('Answered');
  await switchLanguage(page);
  await page.goto(`/surveys/${survey.id}?tab=links`);
  await expect(page.getByTestId('links-table')).toContainText('回答済み');
  await audit(page, 'survey-links');
});
