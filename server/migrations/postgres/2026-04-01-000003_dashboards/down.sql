DROP TABLE IF EXISTS data_events;
