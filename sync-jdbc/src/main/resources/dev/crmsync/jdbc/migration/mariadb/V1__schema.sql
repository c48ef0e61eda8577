-- crmsync schema, version 1 (MariaDB 10.6+, InnoDB). Applied by dev.crmsync.jdbc's built-in migration runner.
-- The same tables as on PostgreSQL and H2, so that later versions apply alike. Text is utf8mb4 with a
-- binary collation (exact, case-sensitive comparisons, as PostgreSQL's); record ids are ASCII, binary;
-- instants are DATETIME(6) holding UTC (MariaDB has no zoned timestamp type).

-- Marketing records of the one-table layout (version 1); the marketing tables now live one per object type.
CREATE TABLE crmsync_record (
    marketing_id    BIGINT       NOT NULL PRIMARY KEY,
    object_type     VARCHAR(80)  NOT NULL,
    crm_id          VARCHAR(18)  CHARACTER SET ascii COLLATE ascii_bin,
    fields          MEDIUMTEXT   NOT NULL,
    crm_deleted     BOOLEAN      NOT NULL DEFAULT FALSE,
    crm_modstamp    DATETIME(6),
    local_modstamp  DATETIME(6)  NOT NULL,
    change_seq      BIGINT       NOT NULL DEFAULT 0,
    UNIQUE KEY crmsync_record_crm_id (object_type, crm_id),
    KEY crmsync_record_feed (object_type, change_seq, marketing_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE SEQUENCE crmsync_marketing_id_seq;

CREATE TABLE crmsync_change_counter (
    name      VARCHAR(16) NOT NULL PRIMARY KEY,
    last_seq  BIGINT      NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
INSERT INTO crmsync_change_counter (name, last_seq) VALUES ('feed', 0);

CREATE TABLE crmsync_checkpoint (
    object_type              VARCHAR(80) NOT NULL PRIMARY KEY,
    crm_modstamp             DATETIME(6) NOT NULL,
    crm_last_id              VARCHAR(18) CHARACTER SET ascii COLLATE ascii_bin,
    initial_copy_done        BOOLEAN     NOT NULL,
    records_done             BIGINT      NOT NULL,
    deletions_checked_until  DATETIME(6),
    marketing_cursor         TEXT        NOT NULL,
    updated_at               DATETIME(6) NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE crmsync_failure (
    object_type      VARCHAR(80)  NOT NULL,
    record_key       VARCHAR(255) NOT NULL,
    target           VARCHAR(16)  NOT NULL,
    code             TEXT         NOT NULL,
    message          TEXT         NOT NULL,
    retriable        BOOLEAN      NOT NULL,
    attempts         INTEGER      NOT NULL,
    first_failed_at  DATETIME(6)  NOT NULL,
    last_failed_at   DATETIME(6)  NOT NULL,
    parked           BOOLEAN      NOT NULL,
    PRIMARY KEY (object_type, record_key, target),
    KEY crmsync_failure_due (object_type, target, parked, last_failed_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE crmsync_base (
    object_type   VARCHAR(80)  NOT NULL,
    crm_id        VARCHAR(18)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    marketing_id  VARCHAR(255) NOT NULL,
    fields        MEDIUMTEXT   NOT NULL,
    crm_modstamp  DATETIME(6)  NOT NULL,
    synced_at     DATETIME(6)  NOT NULL,
    PRIMARY KEY (object_type, crm_id),
    KEY crmsync_base_marketing_id (object_type, marketing_id)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

CREATE TABLE crmsync_conflict (
    object_type      VARCHAR(80)  NOT NULL,
    crm_id           VARCHAR(18)  CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
    field            VARCHAR(255) NOT NULL,
    marketing_id     VARCHAR(255) NOT NULL,
    base_value       MEDIUMTEXT   NOT NULL,
    crm_value        MEDIUMTEXT   NOT NULL,
    marketing_value  MEDIUMTEXT   NOT NULL,
    reason           TEXT         NOT NULL,
    parked_at        DATETIME(6)  NOT NULL,
    PRIMARY KEY (object_type, crm_id, field)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;

-- Leases: owner NULL when free; fencing_token only grows.
CREATE TABLE crmsync_lease (
    name           VARCHAR(255) NOT NULL PRIMARY KEY,
    owner          VARCHAR(255),
    fencing_token  BIGINT       NOT NULL,
    expires_at     DATETIME(6)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
