DROP TABLE health_scores;
DROP TABLE health_models;
ALTER TABLE signal_definitions DROP COLUMN retired_at;
ALTER TABLE signal_definitions DROP COLUMN kind;
ALTER TABLE signal_definitions DROP COLUMN label_ja;
