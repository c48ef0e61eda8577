package dev.crmsync.salesforce.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Global and object describe, cached and re-validated cheaply: each call sends
 * {@code If-Modified-Since} with the time of the cached copy and keeps the copy on 304, so a new
 * field is picked up and a removed one disappears on the next describe without re-downloading
 * unchanged metadata. Thread-safe.
 */
public final class Describer {

    private static final Logger LOG = LoggerFactory.getLogger(Describer.class);
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final ApiClient api;
    private final ObjectMapper json;
    private final Clock clock;
    private final Map<ObjectType, ObjectInfo> cache = new ConcurrentHashMap<>();
    private volatile Set<ObjectType> globalTypes;
    private volatile String globalLastModified;

    /** @param api the client @param json the mapper @param clock the clock (fallback for If-Modified-Since) */
    public Describer(ApiClient api, ObjectMapper json, Clock clock) {
        this.api = api;
        this.json = json;
        this.clock = clock;
    }

    /**
     * @return the object types the integration user can query and replicate (standard types crmsync
     *     knows and custom objects), re-validated with If-Modified-Since
     */
    public synchronized Set<ObjectType> availableTypes() {
        ApiCall call = ApiCall.get("describe.global", "/sobjects");
        if (globalTypes != null && globalLastModified != null) {
            call = call.withHeader("If-Modified-Since", globalLastModified);
        }
        ApiClient.JsonResponse resp = api.sendJson(call);
        RawResponse r = resp.raw();
        if (r.status() == 304 && globalTypes != null) {
            return globalTypes;
        }
        JsonNode root = body(resp, "global describe");
        Set<ObjectType> types = new TreeSet<>();
        for (JsonNode s : root.path("sobjects")) {
            String name = s.path("name").asText("");
            if (!s.path("queryable").asBoolean(false) || !s.path("replicateable").asBoolean(true)) {
                continue;
            }
            if (s.path("deprecatedAndHidden").asBoolean(false)) {
                continue;
            }
            try {
                types.add(ObjectType.of(name));
            } catch (IllegalArgumentException notSyncable) {
                // a system object crmsync does not sync (AcceptedEventRelation, …__Share, …)
            }
        }
        globalTypes = Set.copyOf(types);
        globalLastModified = lastModified(r);
        return globalTypes;
    }

    /**
     * Describes a type, re-validating any cached copy with If-Modified-Since.
     *
     * @param type the type
     * @return the describe, or empty if the user cannot see or query the type
     */
    public Optional<ObjectInfo> describe(ObjectType type) {
        ObjectInfo cached = cache.get(type);
        return fetch(type, cached);
    }

    /**
     * @param type the type
     * @return the cached describe, fetching it if there is none
     * @throws SyncException if the type cannot be queried
     */
    public ObjectInfo require(ObjectType type) {
        ObjectInfo cached = cache.get(type);
        if (cached != null) {
            return cached;
        }
        return fetch(type, null).orElseThrow(() -> new SyncException(
                "the integration user cannot query " + type + " (describe found nothing queryable)", type, null, null));
    }

    /**
     * Describes a type again without If-Modified-Since (after Salesforce rejected a field).
     *
     * @param type the type
     * @return the fresh describe, or empty if the type is gone
     */
    public Optional<ObjectInfo> refresh(ObjectType type) {
        return fetch(type, null);
    }

    private Optional<ObjectInfo> fetch(ObjectType type, ObjectInfo cached) {
        ApiCall call = ApiCall.get("describe", "/sobjects/" + Soql.requireIdentifier(type.apiName(), "object type")
                + "/describe");
        if (cached != null && cached.lastModified() != null) {
            call = call.withHeader("If-Modified-Since", cached.lastModified());
        }
        ApiClient.JsonResponse resp;
        try {
            resp = api.sendJson(call);
        } catch (ApiFailure e) {
            if (e.status() == 404 || e.errorCode().equals("NOT_FOUND") || e.errorCode().equals("INVALID_TYPE")) {
                cache.remove(type);
                LOG.info("{} is not visible to the integration user; it is skipped", type);
                return Optional.empty();
            }
            throw e;
        }
        RawResponse r = resp.raw();
        if (r.status() == 304 && cached != null) {
            return Optional.of(cached);
        }
        JsonNode root = body(resp, "describe of " + type);
        if (!root.path("queryable").asBoolean(true)) {
            cache.remove(type);
            return Optional.empty();
        }
        ObjectInfo info = ObjectInfo.fromDescribe(type, root, lastModified(r));
        ObjectInfo previous = cache.put(type, info);
        if (previous != null) {
            logDrift(previous, info);
        }
        return Optional.of(info);
    }

    private void logDrift(ObjectInfo before, ObjectInfo after) {
        Set<String> added = new TreeSet<>(after.schema().fieldsByName().keySet());
        added.removeAll(before.schema().fieldsByName().keySet());
        Set<String> removed = new TreeSet<>(before.schema().fieldsByName().keySet());
        removed.removeAll(after.schema().fieldsByName().keySet());
        if (!added.isEmpty() || !removed.isEmpty()) {
            LOG.info("schema of {} changed: fields added {}, removed {}", after.type(), added, removed);
        }
    }

    private String lastModified(RawResponse r) {
        String lm = r.header("Last-Modified");
        if (lm == null) {
            lm = r.header("Date");
        }
        return lm != null ? lm : HTTP_DATE.format(clock.instant());
    }

    private static JsonNode body(ApiClient.JsonResponse resp, String what) {
        if (resp.body() == null) {
            throw new RetriableApiFailure("Salesforce " + what + " came back empty (HTTP " + resp.raw().status() + ")",
                    resp.raw().status(), "", null);
        }
        return resp.body();
    }
}
