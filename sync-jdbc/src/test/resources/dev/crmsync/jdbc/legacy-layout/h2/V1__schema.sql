-- crmsync schema, version 1 (H2). Applied by dev.crmsync.jdbc's built-in migration runner.

-- Marketing records. fields: the typed field map as JSON text (see FieldsJson).
-- change_seq: position in the change feed; 0 for records only the engine wrote, otherwise a value
-- from crmsync_change_counter taken by a host change (saveLocal, or the optional trigger).
CREATE TABLE crmsync_record (
    marketing_id    BIGINT       NOT NULL PRIMARY KEY,
    object_type     VARCHAR(80)  NOT NULL,
    crm_id          VARCHAR(18) ,
    fields          CHARACTER VARYING         NOT NULL,
    crm_deleted     BOOLEAN      NOT NULL DEFAULT FALSE,
    crm_modstamp    TIMESTAMP WITH TIME ZONE,
    local_modstamp  TIMESTAMP WITH TIME ZONE NOT NULL,
    change_seq      BIGINT       NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX crmsync_record_crm_id ON crmsync_record (object_type, crm_id);
CREATE INDEX crmsync_record_feed ON crmsync_record (object_type, change_seq, marketing_id);
CREATE SEQUENCE crmsync_marketing_id_seq;

-- The change feed's counter: the last position handed out, in one row for every type (a record
-- that moves from Lead to Contact keeps its position). Taking a position locks the row until
-- commit, so positions commit in order and a reader never skips a change committed late.
CREATE TABLE crmsync_change_counter (
    name      VARCHAR(16) NOT NULL PRIMARY KEY,
    last_seq  BIGINT      NOT NULL
);
INSERT INTO crmsync_change_counter (name, last_seq) VALUES ('feed', 0);

CREATE TABLE crmsync_checkpoint (
    object_type              VARCHAR(80) NOT NULL PRIMARY KEY,
    crm_modstamp             TIMESTAMP WITH TIME ZONE NOT NULL,
    crm_last_id              VARCHAR(18),
    initial_copy_done        BOOLEAN     NOT NULL,
    records_done             BIGINT      NOT NULL,
    deletions_checked_until  TIMESTAMP WITH TIME ZONE,
    marketing_cursor         CHARACTER VARYING        NOT NULL,
    updated_at               TIMESTAMP WITH TIME ZONE NOT NULL
);

CREATE TABLE crmsync_failure (
    object_type      VARCHAR(80)  NOT NULL,
    record_key       VARCHAR(255) NOT NULL,
    target           VARCHAR(16)  NOT NULL,
    code             CHARACTER VARYING         NOT NULL,
    message          CHARACTER VARYING         NOT NULL,
    retriable        BOOLEAN      NOT NULL,
    attempts         INTEGER      NOT NULL,
    first_failed_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_failed_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    parked           BOOLEAN      NOT NULL,
    PRIMARY KEY (object_type, record_key, target)
);
CREATE INDEX crmsync_failure_due ON crmsync_failure (object_type, target, parked, last_failed_at);

CREATE TABLE crmsync_base (
    object_type   VARCHAR(80)  NOT NULL,
    crm_id        VARCHAR(18)  NOT NULL,
    marketing_id  VARCHAR(255) NOT NULL,
    fields        CHARACTER VARYING         NOT NULL,
    crm_modstamp  TIMESTAMP WITH TIME ZONE NOT NULL,
    synced_at     TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (object_type, crm_id)
);
CREATE INDEX crmsync_base_marketing_id ON crmsync_base (object_type, marketing_id);

CREATE TABLE crmsync_conflict (
    object_type      VARCHAR(80)  NOT NULL,
    crm_id           VARCHAR(18)  NOT NULL,
    field            VARCHAR(255) NOT NULL,
    marketing_id     VARCHAR(255) NOT NULL,
    base_value       CHARACTER VARYING         NOT NULL,
    crm_value        CHARACTER VARYING         NOT NULL,
    marketing_value  CHARACTER VARYING         NOT NULL,
    reason           CHARACTER VARYING         NOT NULL,
    parked_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    PRIMARY KEY (object_type, crm_id, field)
);

-- Leases: owner NULL when free; fencing_token only grows.
CREATE TABLE crmsync_lease (
    name           VARCHAR(255) NOT NULL PRIMARY KEY,
    owner          VARCHAR(255),
    fencing_token  BIGINT       NOT NULL,
    expires_at     TIMESTAMP WITH TIME ZONE
);
