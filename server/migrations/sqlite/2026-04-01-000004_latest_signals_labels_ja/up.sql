-- Issue 10: the built-in signals' Japanese labels (the Japanese UI showed
-- their English names). Only where none was set, so a team's own wording
-- stays, and not where another signal already goes by that name (a wide
-- import matches column headers against labels).
UPDATE signal_definitions SET label_ja = '最終ログインからの日数'
WHERE key = 'days_since_login' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'days_since_login' AND (other.label_ja = '最終ログインからの日数' OR other.label = '最終ログインからの日数'));
UPDATE signal_definitions SET label_ja = 'アクティブユーザー率（対シート数）'
WHERE key = 'active_user_ratio' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'active_user_ratio' AND (other.label_ja = 'アクティブユーザー率（対シート数）' OR other.label = 'アクティブユーザー率（対シート数）'));
UPDATE signal_definitions SET label_ja = '初期設定の進捗'
WHERE key = 'setup_progress' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'setup_progress' AND (other.label_ja = '初期設定の進捗' OR other.label = '初期設定の進捗'));
UPDATE signal_definitions SET label_ja = 'サポート問い合わせ件数（30日）'
WHERE key = 'support_tickets_30d' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'support_tickets_30d' AND (other.label_ja = 'サポート問い合わせ件数（30日）' OR other.label = 'サポート問い合わせ件数（30日）'));
UPDATE signal_definitions SET label_ja = '主要機能の利用率'
WHERE key = 'feature_adoption' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'feature_adoption' AND (other.label_ja = '主要機能の利用率' OR other.label = '主要機能の利用率'));
UPDATE signal_definitions SET label_ja = 'CSMの関係評価'
WHERE key = 'csm_sentiment' AND label_ja IS NULL
  AND NOT EXISTS (SELECT 1 FROM signal_definitions other
                  WHERE other.key <> 'csm_sentiment' AND (other.label_ja = 'CSMの関係評価' OR other.label = 'CSMの関係評価'));

-- Issue 10: the latest value of each (account, signal), kept by triggers on
-- every write to signal_values (imports, the API, merges, deletions, the
-- demo) in the writing statement's own transaction. GET
-- /api/v1/scoring-data reads it instead of walking the dated history when
-- the as-of date is on or after a pair's latest reading; pairs read later
-- than the as-of date still take the dated walk (db::scoring::values_on).
-- Derived data: no foreign keys (the triggers remove a pair's row when its
-- last value goes, including by cascade).
CREATE TABLE signal_latest (
    account_id  BIGINT NOT NULL,
    signal_key  TEXT NOT NULL,
    observed_on DATE NOT NULL,
    value       DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (account_id, signal_key)
);
CREATE INDEX signal_latest_observed_on_idx ON signal_latest (observed_on);

-- For an as-of date before a pair's latest reading, the value on that date
-- is one seek in this index, which carries the value (no table look-up).
CREATE INDEX signal_values_seek_idx ON signal_values (account_id, signal_key, observed_on, value);

INSERT INTO signal_latest (account_id, signal_key, observed_on, value)
SELECT account_id, signal_key, MAX(observed_on), value
FROM signal_values GROUP BY account_id, signal_key;

-- A new reading replaces the pair's latest only when it is not older.
CREATE TRIGGER signal_latest_insert AFTER INSERT ON signal_values
BEGIN
    INSERT INTO signal_latest (account_id, signal_key, observed_on, value)
    VALUES (NEW.account_id, NEW.signal_key, NEW.observed_on, NEW.value)
    ON CONFLICT (account_id, signal_key) DO UPDATE
        SET observed_on = excluded.observed_on, value = excluded.value
        WHERE excluded.observed_on >= signal_latest.observed_on;
END;

-- A changed or removed reading: the pair's latest is read again from the
-- history (for an update, of the old pair and of the new one).
CREATE TRIGGER signal_latest_update AFTER UPDATE ON signal_values
BEGIN
    DELETE FROM signal_latest
    WHERE (account_id = OLD.account_id AND signal_key = OLD.signal_key)
       OR (account_id = NEW.account_id AND signal_key = NEW.signal_key);
    INSERT OR REPLACE INTO signal_latest (account_id, signal_key, observed_on, value)
    SELECT account_id, signal_key, observed_on, value FROM signal_values
    WHERE account_id = OLD.account_id AND signal_key = OLD.signal_key
    ORDER BY observed_on DESC LIMIT 1;
    INSERT OR REPLACE INTO signal_latest (account_id, signal_key, observed_on, value)
    SELECT account_id, signal_key, observed_on, value FROM signal_values
    WHERE account_id = NEW.account_id AND signal_key = NEW.signal_key
    ORDER BY observed_on DESC LIMIT 1;
END;

CREATE TRIGGER signal_latest_delete AFTER DELETE ON signal_values
BEGIN
    DELETE FROM signal_latest
    WHERE account_id = OLD.account_id AND signal_key = OLD.signal_key;
    INSERT OR REPLACE INTO signal_latest (account_id, signal_key, observed_on, value)
    SELECT account_id, signal_key, observed_on, value FROM signal_values
    WHERE account_id = OLD.account_id AND signal_key = OLD.signal_key
    ORDER BY observed_on DESC LIMIT 1;
END;
