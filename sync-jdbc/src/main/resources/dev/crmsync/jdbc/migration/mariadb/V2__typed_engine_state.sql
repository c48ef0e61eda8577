-- crmsync schema, version 2 (MariaDB): typed engine state. Applied by dev.crmsync.jdbc's built-in migration runner;
-- the rows are converted afterwards by dev.crmsync.jdbc.internal.TypedEngineState (MariaDB commits DDL at once).

ALTER TABLE crmsync_failure ADD COLUMN key_kind VARCHAR(16) DEFAULT 'CRM' NOT NULL;
ALTER TABLE crmsync_failure DROP PRIMARY KEY, ADD PRIMARY KEY (object_type, key_kind, record_key, target);

CREATE TABLE crmsync_intent (
    object_type  VARCHAR(80)  NOT NULL,
    key_kind     VARCHAR(16)  NOT NULL,
    record_key   VARCHAR(255) NOT NULL,
    kind         VARCHAR(40)  NOT NULL,
    recorded_at  DATETIME(6)  NOT NULL,
    payload      MEDIUMTEXT   NOT NULL,
    PRIMARY KEY (object_type, key_kind, record_key, kind),
    KEY crmsync_intent_list (object_type, kind, recorded_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

ALTER TABLE crmsync_base MODIFY COLUMN marketing_id VARCHAR(255) NULL;
ALTER TABLE crmsync_base ADD COLUMN pending_crm MEDIUMTEXT;
ALTER TABLE crmsync_base ADD COLUMN pending_store MEDIUMTEXT;
