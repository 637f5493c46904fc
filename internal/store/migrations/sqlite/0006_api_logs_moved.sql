-- On SQLite the API log now lives in its own database file (apilog.db, see
-- migrations/sqlite-apilog), so its batch writes never hold the writer of
-- this one. The table created by 0004 is no longer used.
DROP TABLE api_logs;
