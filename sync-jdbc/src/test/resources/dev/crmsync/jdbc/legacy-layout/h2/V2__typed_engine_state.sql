-- crmsync schema, version 2 (H2): typed engine state. Applied by dev.crmsync.jdbc's built-in migration runner;
-- the rows are converted afterwards, in the same transaction, by dev.crmsync.jdbc.internal.TypedEngineState.

-- Failure keys are typed: key_kind CRM (record_key holds the CRM id) or MARKETING (record_key holds the
-- marketing id; version 1 wrote it with a 'marketing:' prefix).
ALTER TABLE crmsync_failure ADD COLUMN key_kind VARCHAR(16) DEFAULT 'CRM' NOT NULL;
ALTER TABLE crmsync_failure DROP PRIMARY KEY;
ALTER TABLE crmsync_failure ADD PRIMARY KEY (object_type, key_kind, record_key, target);

-- The engine's intents (follow-ups, unconfirmed creates, ...), apart from failures. kind: the intent kind's
-- name; payload: the intent's own data in its stable text form (EngineIntent.payload()).
CREATE TABLE crmsync_intent (
    object_type  VARCHAR(80)  NOT NULL,
    key_kind     VARCHAR(16)  NOT NULL,
    record_key   VARCHAR(255) NOT NULL,
    kind         VARCHAR(40)  NOT NULL,
    recorded_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    payload      CHARACTER VARYING NOT NULL,
    PRIMARY KEY (object_type, key_kind, record_key, kind)
);
CREATE INDEX crmsync_intent_list ON crmsync_intent (object_type, kind, recorded_at);

-- A base's marketing id is NULL until the store assigned one (version 1: ''). The values in flight to
-- either side have their own columns (JSON text as fields; NULL: nothing in flight), no longer
-- 'crmsync.pending.*' entries inside fields.
ALTER TABLE crmsync_base ALTER COLUMN marketing_id DROP NOT NULL;
ALTER TABLE crmsync_base ADD COLUMN pending_crm CHARACTER VARYING;
ALTER TABLE crmsync_base ADD COLUMN pending_store CHARACTER VARYING;
