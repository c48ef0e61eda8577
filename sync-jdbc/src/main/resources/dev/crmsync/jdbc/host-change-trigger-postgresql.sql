-- Optional: records changes a host makes to crmsync_record with its own SQL in the change feed.
-- Installed by JdbcStores.builder(ds).hostTrigger(true) (PostgreSQL only), or by hand.
--
-- A host INSERT may leave marketing_id NULL (the trigger takes the next id) and must leave
-- change_seq at its default; a host UPDATE that changes fields gets a new feed position. Writes
-- made by the engine through the store carry SET LOCAL crmsync.engine_write = 'on' and are left
-- alone, as are the store's own saveLocal writes (they position the row themselves).
CREATE OR REPLACE FUNCTION crmsync_record_host_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' AND NEW.marketing_id IS NULL THEN
        NEW.marketing_id := nextval('crmsync_marketing_id_seq');
    END IF;
    IF coalesce(current_setting('crmsync.engine_write', true), '') = 'on' THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.change_seq IS DISTINCT FROM OLD.change_seq
                             OR NEW.fields IS NOT DISTINCT FROM OLD.fields) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' AND NEW.change_seq <> 0 THEN
        RETURN NEW;
    END IF;
    UPDATE crmsync_change_counter SET last_seq = last_seq + 1 WHERE name = 'feed'
        RETURNING last_seq INTO NEW.change_seq;
    NEW.local_modstamp := clock_timestamp();
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
--
DROP TRIGGER IF EXISTS crmsync_record_host_change ON crmsync_record;
--
CREATE TRIGGER crmsync_record_host_change BEFORE INSERT OR UPDATE ON crmsync_record
    FOR EACH ROW EXECUTE FUNCTION crmsync_record_host_change();
