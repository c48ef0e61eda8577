-- crmsync schema, version 3 (MariaDB): a lease is held by one running engine instance, and its times are the
-- database's own (UTC_TIMESTAMP(6)), not the caller's. Applied by dev.crmsync.jdbc's built-in migration runner.

ALTER TABLE crmsync_lease ADD COLUMN instance VARCHAR(255);
ALTER TABLE crmsync_lease ADD COLUMN acquired_at DATETIME(6);

UPDATE crmsync_lease SET instance = 'before-v3', acquired_at = UTC_TIMESTAMP(6) WHERE owner IS NOT NULL;
