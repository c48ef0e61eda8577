-- crmsync schema, version 4 (MariaDB): each person's activity history (dev.crmsync.store.ActivityHistory). Applied by
-- dev.crmsync.jdbc's built-in migration runner.

-- One row per activity. seq: append order (among activities of one instant, the later is newer); activity_key: the
-- activity's identity, unique, so a batch appended again adds nothing; (object_type, marketing_id): the person the
-- history is kept under (a merge or a conversion moves rows to the survivor); fields: the field NAMES, comma-separated
-- (never values); reason: a rejection's code; related_id: the lead, loser or account involved.
CREATE TABLE crmsync_activity (
    seq            BIGINT       NOT NULL AUTO_INCREMENT PRIMARY KEY,
    activity_key   VARCHAR(255) NOT NULL,
    object_type    VARCHAR(80)  NOT NULL,
    marketing_id   VARCHAR(255) NOT NULL,
    crm_id         VARCHAR(18)  CHARACTER SET ascii COLLATE ascii_bin,
    kind           VARCHAR(32)  NOT NULL,
    fields         TEXT         NOT NULL,
    reason         VARCHAR(255),
    related_id     VARCHAR(18)  CHARACTER SET ascii COLLATE ascii_bin,
    cycle_id       VARCHAR(255),
    happened_at    DATETIME(6)  NOT NULL,
    UNIQUE KEY crmsync_activity_key (activity_key),
    KEY crmsync_activity_person (object_type, marketing_id, happened_at, seq)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
