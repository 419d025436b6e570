-- Surveys (NPS/CSAT), personal answer links, answers, follow-up tasks, and
-- onboarding sheets: templates, sheets started from them, their items and
-- the history of ticks and unticks. Shipped templates are inserted at the end.

-- The customer's language for survey pages; NULL: Japanese for yen
-- accounts, English otherwise (see shared::domain::Language::default_for).
ALTER TABLE accounts ADD COLUMN language TEXT CHECK (language IN ('en', 'ja'));

CREATE TABLE surveys (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT NOT NULL CHECK (kind IN ('nps', 'csat')),
    name         TEXT NOT NULL,
    question_en  TEXT,
    question_ja  TEXT,
    follow_up_en TEXT,
    follow_up_ja TEXT,
    opens_on     DATE,
    closes_on    DATE,
    archived     BOOLEAN NOT NULL DEFAULT FALSE,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    version      BIGINT NOT NULL DEFAULT 1,
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK (question_en IS NOT NULL OR question_ja IS NOT NULL),
    CHECK (closes_on IS NULL OR opens_on IS NULL OR closes_on >= opens_on)
);

-- A personal link: only the SHA-256 of its token is stored (hex). It is
-- used once: `used_at` is set by a conditional UPDATE in the transaction
-- that stores the answer.
CREATE TABLE survey_links (
    id         BIGSERIAL PRIMARY KEY,
    survey_id  BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account_id BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    token_hash TEXT NOT NULL UNIQUE,
    language   TEXT NOT NULL CHECK (language IN ('en', 'ja')),
    expires_at TIMESTAMP NOT NULL,
    used_at    TIMESTAMP,
    revoked_at TIMESTAMP,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX survey_links_survey_id_idx ON survey_links (survey_id);
CREATE INDEX survey_links_account_id_idx ON survey_links (account_id);

-- One answer. `channel` 'call' = entered by a CSM (`entered_by`), 'link' =
-- given through `link_id` (at most one answer per link).
CREATE TABLE survey_responses (
    id          BIGSERIAL PRIMARY KEY,
    survey_id   BIGINT NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    account_id  BIGINT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    contact_id  BIGINT REFERENCES contacts (id) ON DELETE SET NULL,
    link_id     BIGINT UNIQUE REFERENCES survey_links (id) ON DELETE SET NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('call', 'link')),
    entered_by  BIGINT REFERENCES users (id) ON DELETE SET NULL,
    score       INTEGER NOT NULL CHECK (score BETWEEN 0 AND 10),
    comment     TEXT,
    answered_on DATE NOT NULL,
    created_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX survey_responses_survey_answered_idx ON survey_responses (survey_id, answered_on);
CREATE INDEX survey_responses_account_id_idx ON survey_responses (account_id);

-- Things to do for an account. `kind` and `status` are checked by the
-- application (shared::domain::TaskKind / TaskStatus), not by CHECK
-- constraints, so later issues (coverage rules) can add values without
-- rebuilding the table on SQLite. `source_type`/`source_id` name what
-- created the task (e.g. 'survey_response', the answer's id).
CREATE TABLE tasks (
    id          BIGSERIAL PRIMARY KEY,
    account_id  BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    owner_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    kind        TEXT NOT NULL,
    reason      TEXT NOT NULL,
    due_on      DATE NOT NULL,
    status      TEXT NOT NULL DEFAULT 'open',
    source_type TEXT,
    source_id   BIGINT,
    created_at  TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    done_at     TIMESTAMP,
    done_by     BIGINT REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX tasks_owner_status_idx ON tasks (owner_id, status);
CREATE INDEX tasks_account_id_idx ON tasks (account_id);
CREATE INDEX tasks_source_idx ON tasks (source_type, source_id);

-- Checklist templates. A customer template may be the one new accounts of
-- a tier get automatically (at most one per tier among live templates).
CREATE TABLE sheet_templates (
    id             BIGSERIAL PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('customer', 'teammate')),
    name_en        TEXT,
    name_ja        TEXT,
    description_en TEXT,
    description_ja TEXT,
    tier           TEXT CHECK (tier IN ('high', 'low', 'tech')),
    archived       BOOLEAN NOT NULL DEFAULT FALSE,
    builtin        BOOLEAN NOT NULL DEFAULT FALSE,
    version        BIGINT NOT NULL DEFAULT 1,
    created_at     TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at     TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK (name_en IS NOT NULL OR name_ja IS NOT NULL),
    CHECK (tier IS NULL OR kind = 'customer')
);
CREATE UNIQUE INDEX sheet_templates_tier_idx ON sheet_templates (tier) WHERE tier IS NOT NULL AND NOT archived;

CREATE TABLE sheet_template_items (
    id              BIGSERIAL PRIMARY KEY,
    template_id     BIGINT NOT NULL REFERENCES sheet_templates (id) ON DELETE CASCADE,
    position        INTEGER NOT NULL,
    title_en        TEXT,
    title_ja        TEXT,
    description_en  TEXT,
    description_ja  TEXT,
    phase           TEXT NOT NULL CHECK (phase IN ('onboarding', 'adoption', 'renewal')),
    due_offset_days INTEGER NOT NULL CHECK (due_offset_days >= 0),
    role            TEXT NOT NULL CHECK (role IN ('csm', 'manager', 'cs_ops', 'mentor', 'customer', 'new_member')),
    required        BOOLEAN NOT NULL DEFAULT TRUE,
    CHECK (title_en IS NOT NULL OR title_ja IS NOT NULL),
    UNIQUE (template_id, position)
);

-- A template applied to an account (customer onboarding) or to a new team
-- member (enablement). The name and items are copies taken at the start, so
-- later template edits never rewrite a started sheet. `owner_id` is the
-- guide of a teammate sheet; a customer sheet belongs to the account's owner.
CREATE TABLE sheets (
    id           BIGSERIAL PRIMARY KEY,
    template_id  BIGINT REFERENCES sheet_templates (id) ON DELETE SET NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('customer', 'teammate')),
    name_en      TEXT,
    name_ja      TEXT,
    account_id   BIGINT REFERENCES accounts (id) ON DELETE CASCADE,
    member_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    owner_id     BIGINT REFERENCES users (id) ON DELETE SET NULL,
    started_on   DATE NOT NULL,
    completed_on DATE,
    created_by   BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    updated_at   TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc'),
    CHECK ((kind = 'customer' AND account_id IS NOT NULL AND member_id IS NULL)
        OR (kind = 'teammate' AND member_id IS NOT NULL AND account_id IS NULL))
);
CREATE INDEX sheets_account_id_idx ON sheets (account_id);
CREATE INDEX sheets_member_id_idx ON sheets (member_id);
CREATE INDEX sheets_started_on_idx ON sheets (started_on);

CREATE TABLE sheet_items (
    id             BIGSERIAL PRIMARY KEY,
    sheet_id       BIGINT NOT NULL REFERENCES sheets (id) ON DELETE CASCADE,
    position       INTEGER NOT NULL,
    title_en       TEXT,
    title_ja       TEXT,
    description_en TEXT,
    description_ja TEXT,
    phase          TEXT NOT NULL CHECK (phase IN ('onboarding', 'adoption', 'renewal')),
    due_on         DATE NOT NULL,
    role           TEXT NOT NULL CHECK (role IN ('csm', 'manager', 'cs_ops', 'mentor', 'customer', 'new_member')),
    required       BOOLEAN NOT NULL,
    done_on        DATE,
    done_at        TIMESTAMP,
    done_by        BIGINT REFERENCES users (id) ON DELETE SET NULL,
    note           TEXT
);
CREATE INDEX sheet_items_sheet_id_idx ON sheet_items (sheet_id);
CREATE INDEX sheet_items_open_due_idx ON sheet_items (due_on) WHERE done_on IS NULL;

-- Every tick ('done', with an optional note) and untick ('undone', with the
-- reason) of a sheet item.
CREATE TABLE sheet_item_events (
    id      BIGSERIAL PRIMARY KEY,
    item_id BIGINT NOT NULL REFERENCES sheet_items (id) ON DELETE CASCADE,
    action  TEXT NOT NULL CHECK (action IN ('done', 'undone')),
    note    TEXT,
    done_on DATE,
    user_id BIGINT REFERENCES users (id) ON DELETE SET NULL,
    at      TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'utc')
);
CREATE INDEX sheet_item_events_item_id_idx ON sheet_item_events (item_id);

-- Shipped templates: the three touch models (the items of each model's
-- onboarding phase are required, so a sheet completes when onboarding is
-- done; later phases are tracked but optional) and new-teammate enablement.
INSERT INTO sheet_templates (kind, name_en, name_ja, description_en, description_ja, tier, builtin) VALUES
    ('customer', 'High touch onboarding', 'ハイタッチ オンボーディング',
     'For accounts of ¥500,000/month and more: goal setting, business design, operation training and three on-site meetings, then a monthly usage review and the renewal review with an effect report.',
     '月額50万円以上の顧客向け。導入期にゴールの設定・業務設計・操作説明会・合計3回の訪問MTG、活用期に月1回の利用状況確認、更新期に振り返りMTGと効果レポートの提出。',
     'high', TRUE),
    ('customer', 'Low touch onboarding', 'ロータッチ オンボーディング',
     'For accounts of ¥70,000–500,000/month: group training, one online meeting and the setup guide, then a usage review call and a renewal call.',
     '月額7万〜50万円の顧客向け。導入期に集合操作説明会・1回のオンラインMTG・初期設定手順書の配布、活用期に利用状況確認の電話、更新期に振り返り電話MTG。',
     'low', TRUE),
    ('customer', 'Tech touch onboarding', 'テックタッチ オンボーディング',
     'For accounts below ¥70,000/month: no individual contact; the setup guide, then a renewal confirmation email.',
     '月額7万円未満の顧客向け（個別対応なし）。導入期に初期設定手順書の配布、更新期に更新確認メール。',
     'tech', TRUE),
    ('teammate', 'New teammate enablement', '新メンバー オンボーディングシート',
     'What a new CSM catches up on in the first three months, with a review interview two months after joining.',
     '入社後の3ヶ月間でキャッチアップすると良い事項。入社2ヶ月後にオンボーディング体験を振り返るヒアリングを実施。',
     NULL, TRUE);

INSERT INTO sheet_template_items (template_id, position, title_en, title_ja, description_en, description_ja, phase, due_offset_days, role, required) VALUES
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 1, 'Goal setting', 'ゴールの設定',
     'Agree with the customer on what success means for them and how it will be measured.', '顧客にとっての成功の定義と、その計測方法を顧客と合意する。', 'onboarding', 7, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 2, 'On-site meeting 1 (kick-off)', '訪問MTG（1回目・キックオフ）',
     'Visit the customer, meet the project members and confirm the plan.', '顧客を訪問し、プロジェクトメンバーと導入計画を確認する。', 'onboarding', 10, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 3, 'Business design', '業務設計',
     'Design how the product fits the customer''s workflow and who uses it for what.', '顧客の業務フローに合わせた運用設計（誰が何に使うか）を行う。', 'onboarding', 21, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 4, 'Operation training', '操作説明会',
     'Train the customer''s users on the product.', '顧客の利用者向けに操作説明会を実施する。', 'onboarding', 28, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 5, 'On-site meeting 2', '訪問MTG（2回目）',
     'Review the first weeks of use on site.', '利用開始後の状況を訪問して確認する。', 'onboarding', 42, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 6, 'On-site meeting 3 (onboarding close)', '訪問MTG（3回目・導入完了）',
     'Confirm the customer runs on their own and the goals are on track.', '顧客が自走できていること、ゴールに向けて進んでいることを確認する。', 'onboarding', 56, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 7, 'Monthly usage review', '月1回の利用状況確認',
     'Check usage every month and call when the health score drops.', '毎月利用状況を確認し、ヘルススコアに応じて電話連絡する。', 'adoption', 90, 'csm', FALSE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 8, 'Renewal review meeting', '振り返りMTG',
     'Look back on the year with the customer before renewal.', '更新前に顧客と1年間を振り返る。', 'renewal', 300, 'csm', FALSE),
    ((SELECT id FROM sheet_templates WHERE tier = 'high'), 9, 'Effect report', '効果レポートの提出',
     'Send the report of the effects achieved against the goals.', 'ゴールに対する導入効果をまとめたレポートを提出する。', 'renewal', 310, 'csm', FALSE),
    ((SELECT id FROM sheet_templates WHERE tier = 'low'), 1, 'Setup guide sent', '初期設定手順書の配布',
     'Send the setup guide to the customer''s administrator.', '顧客の管理者に初期設定手順書を配布する。', 'onboarding', 3, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'low'), 2, 'Group training', '集合操作説明会',
     'Invite the customer''s users to a group training session.', '顧客の利用者を集合操作説明会に招待する。', 'onboarding', 14, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'low'), 3, 'Online meeting', 'オンラインMTG（1回）',
     'One online meeting to answer questions and confirm the setup.', '疑問点の解消と設定状況の確認のため、オンラインMTGを1回実施する。', 'onboarding', 30, 'csm', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'low'), 4, 'Usage review call', '利用状況確認の電話',
     'Call when the health score asks for it.', 'ヘルススコアに応じて電話で利用状況を確認する。', 'adoption', 90, 'csm', FALSE),
    ((SELECT id FROM sheet_templates WHERE tier = 'low'), 5, 'Renewal call', '振り返り電話MTG',
     'A call to look back before renewal.', '更新前に電話で振り返りを行う。', 'renewal', 300, 'csm', FALSE),
    ((SELECT id FROM sheet_templates WHERE tier = 'tech'), 1, 'Setup guide sent', '初期設定手順書の配布',
     'Send the setup guide (no individual contact).', '初期設定手順書を配布する（個別対応なし）。', 'onboarding', 3, 'cs_ops', TRUE),
    ((SELECT id FROM sheet_templates WHERE tier = 'tech'), 2, 'Renewal confirmation email', '更新確認メール',
     'Email the renewal confirmation.', '更新確認メールを送る。', 'renewal', 300, 'cs_ops', FALSE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 1, 'Accounts and tools set up', 'アカウント・ツールの準備',
     'Kizuna, CRM, chat and calendar accounts are ready on day one.', '入社初日にKizuna・CRM・チャット・カレンダーのアカウントを準備する。', 'onboarding', 1, 'manager', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 2, 'First meeting with the mentor', 'メンターとの初回面談',
     'Meet your mentor and agree how you will work together.', 'メンターと面談し、進め方を確認する。', 'onboarding', 3, 'mentor', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 3, 'Product training', 'プロダクト研修',
     'Learn the product as customers use it.', '顧客の使い方に沿ってプロダクトを理解する。', 'onboarding', 14, 'new_member', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 4, 'How CS works with sales and support', 'CS組織と役割分担の理解',
     'Roles and KPIs of sales, customer support and customer success, and how they hand over.', '営業・カスタマーサポート・カスタマーサクセスの役割とKPI、連携の仕方を理解する。', 'onboarding', 14, 'new_member', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 5, 'Learn the KPIs', 'KPIの理解',
     'Churn rate, NRR, NPS, onboarding completion rate and how Kizuna computes them.', '解約率・NRR・NPS・オンボーディング完了率と、その算出方法を理解する。', 'onboarding', 21, 'new_member', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 6, 'Shadow customer meetings', '顧客対応への同席',
     'Join high-touch and low-touch meetings with your mentor.', 'メンターのハイタッチ・ロータッチの顧客対応に同席する。', 'onboarding', 30, 'mentor', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 7, 'Read the playbooks and operating rules', 'プレイブックと運用ルールの確認',
     'Who does what when for each tier and phase.', 'ティア・フェーズごとに「だれが」「いつ」「何を」するかを確認する。', 'onboarding', 30, 'new_member', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 8, 'Take over the first accounts', '担当顧客の引き継ぎ',
     'Take over your first accounts from your manager.', 'マネージャーから最初の担当顧客を引き継ぐ。', 'adoption', 45, 'manager', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 9, 'Two-month review interview', '入社2ヶ月後の振り返りヒアリング',
     'CS Ops interviews you about your onboarding experience.', 'CS Opsがオンボーディング体験を振り返るヒアリングを実施する。', 'adoption', 60, 'cs_ops', TRUE),
    ((SELECT id FROM sheet_templates WHERE builtin AND kind = 'teammate'), 10, 'Suggest improvements to this sheet', 'オンボーディングシートの改善提案',
     'What would have helped you? Suggest changes to this template.', '立ち上がりに役立った点・足りなかった点をもとに、このシートの改善を提案する。', 'adoption', 90, 'new_member', FALSE);
