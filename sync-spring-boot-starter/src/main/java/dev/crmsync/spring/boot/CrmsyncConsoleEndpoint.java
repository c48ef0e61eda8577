package dev.crmsync.spring.boot;

import dev.crmsync.core.report.Backlog;
import dev.crmsync.core.Resolution;
import dev.crmsync.core.SyncEngine;
import dev.crmsync.core.report.PushResult;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.store.FailedRecord;
import dev.crmsync.store.ParkedConflict;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;

/**
 * The operator console's Actuator endpoint, {@code crmsync} ({@code /actuator/crmsync} over the web, once exposed
 * with {@code management.endpoints.web.exposure.include}). The page {@code /crmsync/console.html} reads and
 * drives it.
 *
 * <p><b>Read</b> ({@code GET}): the last cycle, the problem codes and per object type its status (outcome, when a
 * cycle last reached it, cycles without completion, lag, rejected records, and its {@code backlog}: changes
 * waiting when its latest run began, {@code toMarketing} and {@code toCrm} (null where not counted; {@code toCrm}
 * a lower bound unless {@code toCrmExact}), the {@code trend} against six hours before ({@code GROWING},
 * {@code NOT_GROWING}, {@code UNKNOWN}) — {@code null} until a run counted one), the parked failures (type, record key, side, code, reason, attempts) and the parked
 * conflicts (type, record ids, field name). A conflict's values (base, CRM, marketing) are customer data: they are
 * in the answer only for a caller in the operator role, and never logged.
 *
 * <p><b>Write</b> ({@code POST /actuator/crmsync/{action}} with a JSON body), each answered {@code 200} with
 * {@code {"result": …}}, {@code 400} with {@code {"code": …}} on bad input, {@code 404} for an unknown failure,
 * conflict or record, {@code 409} when the engine cannot act now:
 * <ul>
 *   <li>{@code redrive} {@code {"id": failureId}} — re-drives one parked failure;</li>
 *   <li>{@code redrive-all} {@code {"type": "Lead"}} — re-drives every parked or waiting failure of a type;</li>
 *   <li>{@code resolve} {@code {"id": conflictId, "choice": "crm" | "marketing"}} — decides a parked
 *       conflict;</li>
 *   <li>{@code push} {@code {"type": "Lead", "marketingId": …}} — creates a marketing-only record in the CRM
 *       now.</li>
 * </ul>
 * A failure's id is {@code Type/SIDE/key} (the key's storage form, {@code crm:…} or {@code mkt:…}); a
 * conflict's id is {@code Type/crmId/Field}; both are in the read answer. Answers carry codes, ids and field
 * names only; a reason is the engine's, which never quotes a record value.
 *
 * <p>Thread-safe. Authorisation is the host's Spring Security configuration (the starter's chain by default: see
 * {@link CrmsyncConsoleAutoConfiguration}); the endpoint itself only decides whether to include conflict values.
 */
@Endpoint(id = CrmsyncConsoleEndpoint.ID)
public class CrmsyncConsoleEndpoint {

    /** The endpoint id. */
    public static final String ID = "crmsync";

    /** The action that re-drives one failure. */
    public static final String REDRIVE = "redrive";
    /** The action that re-drives every failure of a type. */
    public static final String REDRIVE_ALL = "redrive-all";
    /** The action that resolves a conflict. */
    public static final String RESOLVE = "resolve";
    /** The action that pushes a marketing record to the CRM now. */
    public static final String PUSH = "push";

    /** The longest id, type or marketing id the endpoint accepts. */
    public static final int MAX_ARGUMENT_LENGTH = 512;

    private static final Pattern FAILURE_ID = Pattern.compile("[^/]+/(CRM|MARKETING)/.+");
    private static final Pattern CONFLICT_ID = Pattern.compile("[^/]+/[^/]+/[^/]+");
    private static final Pattern TYPE_NAME = Pattern.compile("[A-Za-z][A-Za-z0-9_]{0,79}");

    private final SyncEngine engine;
    private final SyncStatus status;
    private final String operatorRole;

    /**
     * @param engine the engine it lists and drives
     * @param status the status it reports
     * @param operatorRole the role (without {@code ROLE_}) whose callers see conflict values
     */
    public CrmsyncConsoleEndpoint(SyncEngine engine, SyncStatus status, String operatorRole) {
        this.engine = Objects.requireNonNull(engine, "engine must not be null");
        this.status = Objects.requireNonNull(status, "status must not be null");
        Objects.requireNonNull(operatorRole, "operatorRole must not be null");
        if (operatorRole.isBlank()) {
            throw new IllegalArgumentException("operatorRole must not be blank");
        }
        this.operatorRole = operatorRole;
    }

    /** A backlog as JSON: counts per direction (null where not counted), exactness and trend; null if none. */
    private static @Nullable Map<String, Object> backlog(@Nullable Backlog b) {
        if (b == null) {
            return null;
        }
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("toMarketing", b.crmToMarketing().isPresent() ? b.crmToMarketing().getAsLong() : null);
        d.put("toCrm", b.marketingToCrm().isPresent() ? b.marketingToCrm().getAsLong() : null);
        d.put("toCrmExact", b.marketingFeedRead());
        d.put("trend", b.trend().name());
        d.put("sixHoursAgo", b.windowAgo().isPresent() ? b.windowAgo().getAsLong() : null);
        d.put("measuredAt", b.measuredAt().toString());
        return d;
    }

    /**
     * The console's state.
     *
     * @param security the caller (Actuator passes it); conflict values only for the operator role
     * @return the status, parked failures and parked conflicts, as JSON-ready maps and lists
     */
    @ReadOperation
    public Map<String, Object> console(SecurityContext security) {
        Objects.requireNonNull(security, "security must not be null");
        boolean operator = security.isUserInRole(operatorRole);
        SyncStatus.Snapshot s = status.snapshot();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("cycles", s.cycles());
        out.put("lastOutcome", s.lastOutcome());
        out.put("lastCycleAt", s.lastCycleAt() == null ? null : s.lastCycleAt().toString());
        out.put("problems", s.problems());
        out.put("operator", operator);
        Map<String, Object> types = new LinkedHashMap<>();
        s.types().forEach((type, t) -> {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("outcome", t.outcome());
            d.put("lastCycleAt", t.lastCycleAt() == null ? null : t.lastCycleAt().toString());
            d.put("cyclesWithoutCompletion", t.cyclesWithoutCompletion());
            d.put("lagSeconds", t.lagSeconds());
            d.put("rejected", t.rejected());
            d.put("backlog", backlog(t.backlog()));
            d.put("problems", t.problems());
            types.put(type, d);
        });
        out.put("types", types);
        List<Map<String, Object>> failures = new ArrayList<>();
        for (FailedRecord f : engine.parkedFailures()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", failureId(f));
            d.put("type", f.type().apiName());
            d.put("key", f.key().toString());
            d.put("side", f.target().name());
            d.put("code", f.code());
            d.put("reason", f.message());
            d.put("attempts", f.attempts());
            d.put("retriable", f.retriable());
            d.put("lastFailedAt", f.lastFailedAt().toString());
            failures.add(d);
        }
        out.put("failures", failures);
        List<Map<String, Object>> conflicts = new ArrayList<>();
        for (ParkedConflict c : engine.parkedConflicts()) {
            Map<String, Object> d = new LinkedHashMap<>();
            d.put("id", conflictId(c));
            d.put("type", c.type().apiName());
            d.put("crmId", c.crmId().value());
            d.put("marketingId", c.marketingId());
            d.put("field", c.field());
            d.put("parkedAt", c.parkedAt().toString());
            if (operator) {
                d.put("base", text(c.base()));
                d.put("crmValue", text(c.crmValue()));
                d.put("marketingValue", text(c.marketingValue()));
            }
            conflicts.add(d);
        }
        out.put("conflicts", conflicts);
        return out;
    }

    /**
     * Runs an operator action (see the class comment).
     *
     * @param action {@value #REDRIVE}, {@value #REDRIVE_ALL}, {@value #RESOLVE} or {@value #PUSH}
     * @param id a failure's or conflict's id ({@code redrive}, {@code resolve})
     * @param type an object type's API name ({@code redrive-all}, {@code push})
     * @param choice {@code crm} or {@code marketing} ({@code resolve})
     * @param marketingId a marketing record's id ({@code push})
     * @return 200 with the result; 400, 404 or 409 with a code
     */
    @WriteOperation
    public WebEndpointResponse<Map<String, Object>> act(@Selector String action, @Nullable String id,
                                                        @Nullable String type, @Nullable String choice,
                                                        @Nullable String marketingId) {
        if (action == null) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "UNKNOWN_ACTION");
        }
        try {
            return switch (action) {
                case REDRIVE -> redrive(id);
                case REDRIVE_ALL -> redriveAll(type);
                case RESOLVE -> resolve(id, choice);
                case PUSH -> push(type, marketingId);
                default -> error(WebEndpointResponse.STATUS_BAD_REQUEST, "UNKNOWN_ACTION");
            };
        } catch (IllegalStateException e) {
            // the engine is closed (the application stops): no message, it may name internals
            return error(409, "ENGINE_UNAVAILABLE");
        }
    }

    private WebEndpointResponse<Map<String, Object>> redrive(@Nullable String id) {
        Optional<String> bad = checkId(id, FAILURE_ID);
        if (bad.isPresent()) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, bad.get());
        }
        for (FailedRecord f : engine.parkedFailures()) {
            if (failureId(f).equals(id)) {
                return engine.redrive(f) ? ok("REDRIVEN") : error(409, "NOT_PARKED");
            }
        }
        return error(WebEndpointResponse.STATUS_NOT_FOUND, "FAILURE_NOT_FOUND");
    }

    private WebEndpointResponse<Map<String, Object>> redriveAll(@Nullable String type) {
        Optional<ObjectType> t = type(type);
        if (t.isEmpty()) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "BAD_TYPE");
        }
        int n = engine.redriveAll(t.get());
        Map<String, Object> body = result("REDRIVEN");
        body.put("count", n);
        return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
    }

    private WebEndpointResponse<Map<String, Object>> resolve(@Nullable String id, @Nullable String choice) {
        Optional<String> bad = checkId(id, CONFLICT_ID);
        if (bad.isPresent()) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, bad.get());
        }
        Resolution resolution;
        if (choice == null) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "MISSING_CHOICE");
        }
        switch (choice.toLowerCase(Locale.ROOT)) {
            case "crm" -> resolution = Resolution.CRM;
            case "marketing" -> resolution = Resolution.MARKETING;
            default -> {
                return error(WebEndpointResponse.STATUS_BAD_REQUEST, "BAD_CHOICE");
            }
        }
        for (ParkedConflict c : engine.parkedConflicts()) {
            if (conflictId(c).equals(id)) {
                return engine.resolveConflict(c, resolution) ? ok("RESOLVED")
                        : error(WebEndpointResponse.STATUS_NOT_FOUND, "CONFLICT_NOT_FOUND");
            }
        }
        return error(WebEndpointResponse.STATUS_NOT_FOUND, "CONFLICT_NOT_FOUND");
    }

    private WebEndpointResponse<Map<String, Object>> push(@Nullable String type, @Nullable String marketingId) {
        Optional<ObjectType> t = type(type);
        if (t.isEmpty()) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "BAD_TYPE");
        }
        if (!t.get().equals(ObjectType.LEAD) && !t.get().equals(ObjectType.CONTACT)
                && !t.get().equals(ObjectType.CAMPAIGN)) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "TYPE_NOT_PUSHABLE");
        }
        if (marketingId == null || marketingId.isBlank()) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "MISSING_MARKETING_ID");
        }
        if (marketingId.length() > MAX_ARGUMENT_LENGTH) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "BAD_MARKETING_ID");
        }
        PushResult r;
        try {
            r = engine.pushNow(t.get(), List.of(marketingId)).get(0);
        } catch (IllegalArgumentException e) {
            return error(WebEndpointResponse.STATUS_BAD_REQUEST, "BAD_MARKETING_ID");
        }
        Map<String, Object> body;
        if (r instanceof PushResult.Created c) {
            body = result("CREATED");
            body.put("crmId", c.crmId().value());
        } else if (r instanceof PushResult.AlreadyInCrm a) {
            body = result("ALREADY_IN_CRM");
            body.put("crmId", a.crmId().value());
        } else if (r instanceof PushResult.Rejected rej) {
            body = result("REJECTED");
            body.put("code", rej.code());
            body.put("retriable", rej.retriable());
        } else if (r instanceof PushResult.Unconfirmed) {
            body = result("UNCONFIRMED");
        } else {
            return error(WebEndpointResponse.STATUS_NOT_FOUND, "RECORD_NOT_FOUND");
        }
        return new WebEndpointResponse<>(body, WebEndpointResponse.STATUS_OK);
    }

    private static Optional<String> checkId(@Nullable String id, Pattern shape) {
        if (id == null || id.isBlank()) {
            return Optional.of("MISSING_ID");
        }
        if (id.length() > MAX_ARGUMENT_LENGTH || !shape.matcher(id).matches()) {
            return Optional.of("BAD_ID");
        }
        return Optional.empty();
    }

    private static Optional<ObjectType> type(@Nullable String type) {
        if (type == null || !TYPE_NAME.matcher(type.strip()).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Types.resolve(type));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /**
     * @param f a failure
     * @return its console id, {@code Type/SIDE/key}
     */
    static String failureId(FailedRecord f) {
        return f.type().apiName() + "/" + f.target().name() + "/" + f.key().toStorageString();
    }

    /**
     * @param c a conflict
     * @return its console id, {@code Type/crmId/Field}
     */
    static String conflictId(ParkedConflict c) {
        return c.type().apiName() + "/" + c.crmId().value() + "/" + c.field();
    }

    private static @Nullable String text(FieldValue v) {
        return v.asText();
    }

    private static Map<String, Object> result(String result) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("result", result);
        return body;
    }

    private static WebEndpointResponse<Map<String, Object>> ok(String result) {
        return new WebEndpointResponse<>(result(result), WebEndpointResponse.STATUS_OK);
    }

    private static WebEndpointResponse<Map<String, Object>> error(int status, String code) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("code", code);
        return new WebEndpointResponse<>(body, status);
    }
}
