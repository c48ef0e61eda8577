-- crmsync schema, version 3: a lease is held by one running engine instance (engine id plus instance token), and
-- its times are the database's own (CURRENT_TIMESTAMP), not the caller's. Applied by dev.crmsync.jdbc's built-in
-- migration runner.

-- instance: the holder's instance token (NULL when free); acquired_at: when the current grant began.
ALTER TABLE crmsync_lease ADD COLUMN instance VARCHAR(255);
ALTER TABLE crmsync_lease ADD COLUMN acquired_at TIMESTAMP WITH TIME ZONE;

-- A lease held by an engine of version 2 (no instance) stays held until it expires, by an instance no later engine has.
UPDATE crmsync_lease SET instance = 'before-v3', acquired_at = CURRENT_TIMESTAMP WHERE owner IS NOT NULL;
