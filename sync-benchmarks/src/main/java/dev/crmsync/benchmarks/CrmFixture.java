package dev.crmsync.benchmarks;

import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * An {@link InMemoryCrm} filled with {@code n} leads of the benchmark type, on a manual clock.
 *
 * <p>The leads' history spans the hours before "now": one second passes every
 * {@value #RECORDS_PER_SECOND} records, so stamps are shared by many records (as Salesforce's
 * whole-second {@code SystemModstamp} is) and the change index holds thousands of stamps. After
 * loading, the clock moves a day on, so that no record lies within the engine's lookback window
 * of the first copy: the incremental cycles then see exactly the records edited for them.
 */
final class CrmFixture {

    /** Records stamped within one second while loading. */
    static final int RECORDS_PER_SECOND = 50;
    /** Number of User records owning the leads. */
    static final int OWNERS = 40;
    private static final int ID_LENGTH = 15;
    private static final Instant HISTORY_START = Instant.parse("2025-01-01T00:00:00Z");

    final ManualClock clock;
    final InMemoryCrm crm;
    final ObjectType type;
    final long records;
    final LeadData data;
    /** The leads' ids, 15 ASCII characters each, packed (a list of CrmId would take 80 MB per million). */
    private final byte[] ids;
    private int editRound;

    private CrmFixture(ManualClock clock, InMemoryCrm crm, ObjectType type, long records, LeadData data,
                       byte[] ids) {
        this.clock = clock;
        this.crm = crm;
        this.type = type;
        this.records = records;
        this.data = data;
        this.ids = ids;
    }

    /**
     * Builds and fills a CRM.
     *
     * @param type the benchmark type ({@link LeadData#BENCH_TYPE}, defined here with Lead's fields, or Lead itself)
     * @param records how many leads
     * @return the filled fixture
     */
    static CrmFixture load(ObjectType type, int records) {
        Objects.requireNonNull(type, "type");
        if (records < 1) {
            throw new IllegalArgumentException("records must be at least 1, was " + records);
        }
        ManualClock clock = new ManualClock(HISTORY_START);
        // the bench never sleeps: latency is not injected, and a sleeper that does nothing keeps it so
        InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(7).sleeper(d -> { }).build();
        if (!type.equals(ObjectType.LEAD)) {
            crm.defineType(type, LeadData.schema());
        }
        List<CrmId> owners = new ArrayList<>(OWNERS);
        for (int i = 0; i < OWNERS; i++) {
            owners.add(crm.insert(ObjectType.USER, Map.of("LastName", FieldValue.text("Owner " + i),
                    "Email", FieldValue.text("owner" + i + "@example.com"))));
        }
        LeadData data = new LeadData(owners);
        byte[] ids = new byte[ID_LENGTH * records];
        for (int i = 0; i < records; i++) {
            CrmId id = crm.insert(type, data.lead(i));
            System.arraycopy(id.shortForm().getBytes(StandardCharsets.ISO_8859_1), 0, ids, i * ID_LENGTH, ID_LENGTH);
            if (i % RECORDS_PER_SECOND == RECORDS_PER_SECOND - 1) {
                clock.advance(Duration.ofSeconds(1));
            }
        }
        clock.advance(Duration.ofDays(1));
        return new CrmFixture(clock, crm, type, records, data, ids);
    }

    /**
     * Edits {@code count} distinct leads, chosen at random over the whole set, as CRM users would;
     * they all get the current time as stamp.
     *
     * @param count how many leads to edit, at most {@link #records}
     * @param seed chooses the leads
     * @return the numbers of the edited leads
     */
    Set<Integer> editRandom(int count, long seed) {
        if (count < 0 || count > records) {
            throw new IllegalArgumentException("count must be between 0 and " + records + ", was " + count);
        }
        int round = ++editRound;
        SplittableRandom r = new SplittableRandom(seed);
        // Floyd's sampling: count distinct indexes without a set of the whole range
        Set<Integer> chosen = new HashSet<>(count * 2);
        for (int j = (int) records - count; j < records; j++) {
            int t = r.nextInt(j + 1);
            if (!chosen.add(t)) {
                chosen.add(j);
            }
        }
        for (int i : chosen) {
            crm.update(type, id(i), data.edit(i, round));
        }
        return chosen;
    }

    /** @param i a lead's number @return its id */
    CrmId id(int i) {
        return CrmId.of(new String(ids, i * ID_LENGTH, ID_LENGTH, StandardCharsets.ISO_8859_1));
    }
}
