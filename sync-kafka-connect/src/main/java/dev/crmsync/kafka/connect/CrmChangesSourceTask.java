package dev.crmsync.kafka.connect;

import dev.crmsync.crm.CrmSource;
import dev.crmsync.kafka.connect.internal.OrgBudget;
import dev.crmsync.kafka.connect.internal.PollLoop;
import dev.crmsync.kafka.connect.internal.Settings;
import dev.crmsync.kafka.connect.internal.SourceOffsets;
import dev.crmsync.kafka.connect.internal.SourceSettings;
import dev.crmsync.kafka.connect.internal.TypeReader;
import dev.crmsync.kafka.connect.internal.Versions;
import dev.crmsync.model.CallAbortedException;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.connect.errors.ConnectException;
import org.apache.kafka.connect.errors.RetriableException;
import org.apache.kafka.connect.source.SourceRecord;
import org.apache.kafka.connect.source.SourceTask;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The task of {@link CrmChangesSourceConnector}: reads the (org, type) partitions of its orgs in turn, one page of
 * one partition per {@link #poll()}, by the loop it shares with {@link MarketingChangesSourceTask}
 * ({@code internal.PollLoop}). Once every partition has read everything, {@link #poll()} waits for the first
 * one's rest to end (at most a second a call; {@link #stop()} ends the wait). With connector-defined transaction
 * boundaries it commits a transaction after each page.
 *
 * <p>An org with a daily API budget ({@code org.<orgId>.daily.api.calls}) is checked before each of its pages; once
 * it spent the budget, all its partitions rest until the next UTC midnight while the task's other orgs go on.
 *
 * <p>A retriable CRM failure ({@link RetriableSyncException}, the API budget spent) is a
 * {@link RetriableException}: Connect polls again and the page is read again from the same cursor. Any other
 * {@link SyncException} fails the task.
 */
public class CrmChangesSourceTask extends SourceTask {

    private static final Logger LOG = LoggerFactory.getLogger(CrmChangesSourceTask.class);

    private final Map<String, CrmSource> sources = new LinkedHashMap<>();
    private final List<TypeReader> readers = new ArrayList<>();
    private final PollLoop<TypeReader> loop;
    /** By org, the daily API budget of the orgs that have one. */
    private final Map<String, OrgBudget> budgets = new LinkedHashMap<>();
    private @Nullable SourceSettings settings;

    /** Creates the task; Connect calls {@link #initialize} and {@link #start} next. */
    public CrmChangesSourceTask() {
        this(Clock.systemUTC());
    }

    /** @param clock the time (rests, API budget days) */
    CrmChangesSourceTask(Clock clock) {
        this.loop = new PollLoop<>(clock, readers);
    }

    @Override
    public String version() {
        return Versions.version();
    }

    @Override
    public void start(Map<String, String> props) {
        SourceSettings s = SourceSettings.parseTask(props);
        this.settings = s;
        CrmSourceFactory factory = Settings.instantiate(CrmSourceFactory.class, s.factory());
        List<Map<String, String>> partitions = new ArrayList<>();
        for (String org : s.orgs()) {
            for (ObjectType type : s.types()) {
                partitions.add(SourceOffsets.partition(org, type));
            }
        }
        Map<Map<String, String>, Map<String, Object>> offsets = context.offsetStorageReader().offsets(partitions);
        for (String org : s.orgs()) {
            CrmSource crm = factory.open(org, Settings.orgSettings(org, s.originals(), null));
            sources.put(org, crm);
            Long calls = s.dailyApiCalls().get(org);
            if (calls != null) {
                budgets.put(org, new OrgBudget(calls));
            }
            for (ObjectType type : s.types()) {
                Map<String, String> partition = SourceOffsets.partition(org, type);
                SourceOffsets.Position start = SourceOffsets.position(org, type,
                        offsets == null ? null : offsets.get(partition));
                readers.add(new TypeReader(org, type, crm, s.topic(org, type), start));
                LOG.info("org {}, {}: {} at {}", org, type, start.copyDone() ? "incremental reads" : "full copy",
                        start.cursor());
            }
        }
    }

    /**
     * Reads one page of the next partition that is not resting ({@link PollLoop}); an org that spent its budget
     * rests instead.
     *
     * @return the page's records, or null when every partition rests (after waiting up to the poll interval)
     * @throws RetriableException if the CRM read may pass when tried again
     * @throws ConnectException if it failed for good
     */
    @Override
    public @Nullable List<SourceRecord> poll() throws InterruptedException {
        SourceSettings s = settings;
        if (s == null) {
            return loop.poll(Duration.ofSeconds(1), () -> null, (r, now) -> List.of());
        }
        return loop.poll(s.pollInterval(), () -> context.transactionContext(), (reader, now) -> {
            OrgBudget budget = budgets.get(reader.org());
            if (budget != null && !budget.allows(now)) {
                restOrg(reader.org(), budget, now);
                return List.of();
            }
            return read(reader, budget, s, now);
        });
    }

    /** Rests every partition of an org that spent its API budget until the budget's day ends. */
    private void restOrg(String org, OrgBudget budget, Instant now) {
        Instant until = budget.resetAt(now);
        LOG.info("org {}: {} CRM calls made today, its daily API budget is {}; its partitions rest until {}", org,
                budget.used(), budget.limit(), until);
        for (TypeReader r : readers) {
            if (r.org().equals(org)) {
                r.restUntil(until);
            }
        }
    }

    private static long calls(CrmSource crm) {
        long n = 0;
        for (Long c : crm.callCounts().values()) {
            n += c == null ? 0 : c;
        }
        return n;
    }

    private List<SourceRecord> read(TypeReader reader, @Nullable OrgBudget budget, SourceSettings s, Instant now) {
        CrmSource crm = sources.get(reader.org());
        long before = budget == null || crm == null ? 0 : calls(crm);
        try {
            return reader.readPage(s.pageSize(), s.lookback(), s.pollInterval(), now);
        } catch (RetriableSyncException | QuotaExceededException e) {
            throw new RetriableException("org " + reader.partition().get(SourceOffsets.ORG) + ", "
                    + reader.partition().get(SourceOffsets.TYPE) + ": CRM read failed, will retry ("
                    + e.getClass().getSimpleName() + ")", e);
        } catch (CallAbortedException e) {
            throw new RetriableException("org " + reader.partition().get(SourceOffsets.ORG) + ": CRM read aborted", e);
        } catch (SyncException e) {
            throw new ConnectException("org " + reader.partition().get(SourceOffsets.ORG) + ", "
                    + reader.partition().get(SourceOffsets.TYPE) + ": CRM read failed (" + e.getClass().getSimpleName()
                    + ")", e);
        } finally {
            if (budget != null && crm != null) {
                budget.spend(calls(crm) - before, now);
            }
        }
    }

    /**
     * Ends a waiting {@link #poll()} and closes the sources. Connect calls it on the task's thread once the last
     * poll returned.
     */
    @Override
    public void stop() {
        loop.stop();
        for (CrmSource crm : sources.values()) {
            try {
                crm.close();
            } catch (RuntimeException e) {
                LOG.warn("closing a CRM source failed ({})", e.getClass().getSimpleName());
            }
        }
    }
}
