package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.model.Deletion;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads by id ({@code queryAll … WHERE Id IN (…)}, deleted records included) and the delete log
 * ({@code getDeleted}).
 */
public final class ReadOperations {

    private static final Logger LOG = LoggerFactory.getLogger(ReadOperations.class);

    /** Ids per {@code Id IN} query, keeping the URL well under Salesforce's 16 KB limit. */
    public static final int IDS_PER_QUERY = 200;

    private final SourceContext ctx;
    private final Duration deleteLogRetention;

    /** @param ctx the source's shared parts @param deleteLogRetention how far back getDeleted reaches (15 days) */
    public ReadOperations(SourceContext ctx, Duration deleteLogRetention) {
        this.ctx = ctx;
        this.deleteLogRetention = deleteLogRetention;
    }

    /**
     * @param type the type
     * @param ids the ids
     * @param fields the fields (well-formed names; unknown ones are skipped)
     * @return the records found, deleted ones flagged
     */
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        ReadPlan.checkNames(fields, "field of " + type);
        if (ids.isEmpty()) {
            return List.of();
        }
        ReadPlan plan = ReadPlan.of(ctx.describer().require(type), fields);
        List<CrmId> unique = new ArrayList<>(new LinkedHashSet<>(ids));
        List<SyncRecord> out = new ArrayList<>();
        for (int from = 0; from < unique.size(); from += IDS_PER_QUERY) {
            List<CrmId> chunk = unique.subList(from, Math.min(unique.size(), from + IDS_PER_QUERY));
            ApiCall call = ApiCall.get("queryAll", "/queryAll").withQuery("q", plan.soqlForIds(chunk));
            while (call != null) {
                QueryPage page = ctx.api().stream(call, QueryPage.parser(ctx.json().getFactory(), plan));
                if (page == null) {
                    break;
                }
                out.addAll(page.records());
                String next = page.nextRecordsUrl();
                call = page.done() || next.isEmpty() ? null : ApiCall.get("queryMore", next);
            }
        }
        return out;
    }

    /**
     * @param type the type
     * @param start the window's start
     * @param end the window's end, after start
     * @return the deletions and the log's reach
     */
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        Instant oldest = ctx.clock().instant().minus(deleteLogRetention).plus(Duration.ofMinutes(1))
                .truncatedTo(ChronoUnit.SECONDS);
        Instant from = start.isBefore(oldest) ? oldest : start;
        if (!from.isBefore(end)) {
            LOG.warn("delete log of {} no longer reaches back to {}; deletions may have been lost", type, start);
            return new DeletedRecords(List.of(), from, end);
        }
        DeletedRecords r = getDeleted(type, from, end, 0);
        if (from.isAfter(start) && r.earliestDateAvailable().isBefore(from)) {
            r = new DeletedRecords(r.deletions(), from, r.latestDateCovered());
        }
        return r;
    }

    private DeletedRecords getDeleted(ObjectType type, Instant start, Instant end, int depth) {
        ApiCall call = ApiCall.get("getDeleted", "/sobjects/" + Soql.requireIdentifier(type.apiName(), "object type")
                        + "/deleted/")
                .withQuery("start", Soql.dateTime(start.truncatedTo(ChronoUnit.SECONDS)))
                .withQuery("end", Soql.dateTime(end.truncatedTo(ChronoUnit.SECONDS)));
        JsonNode body;
        try {
            body = ctx.api().sendJson(call).body();
        } catch (ApiFailure e) {
            long span = Duration.between(start, end).toSeconds();
            if (e.errorCode().equals("EXCEEDED_ID_LIMIT") && depth < 16 && span >= 120) {
                Instant mid = start.plusSeconds(span / 2).truncatedTo(ChronoUnit.MINUTES);
                LOG.info("delete log of {} holds too many ids for one call; splitting the window at {}", type, mid);
                DeletedRecords a = getDeleted(type, start, mid, depth + 1);
                DeletedRecords b = getDeleted(type, mid, end, depth + 1);
                List<Deletion> all = new ArrayList<>(a.deletions());
                all.addAll(b.deletions());
                return new DeletedRecords(all, a.earliestDateAvailable(), b.latestDateCovered());
            }
            throw e;
        }
        List<Deletion> deletions = new ArrayList<>();
        if (body != null) {
            for (JsonNode d : body.path("deletedRecords")) {
                String id = d.path("id").asText("");
                String at = d.path("deletedDate").asText("");
                if (id.isEmpty() || at.isEmpty()) {
                    continue;
                }
                deletions.add(new Deletion(CrmId.of(id), ValueCodec.parseDateTime(at)));
            }
        }
        Instant earliest = instant(body, "earliestDateAvailable", start);
        Instant latest = instant(body, "latestDateCovered", end);
        return new DeletedRecords(deletions, earliest, latest);
    }

    private static Instant instant(JsonNode body, String field, Instant fallback) {
        String t = body == null ? "" : body.path(field).asText("");
        return t.isEmpty() ? fallback : ValueCodec.parseDateTime(t);
    }
}
