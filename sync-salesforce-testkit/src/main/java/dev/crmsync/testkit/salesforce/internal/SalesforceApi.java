package dev.crmsync.testkit.salesforce.internal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.FieldType;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.QuotaExceededException;
import dev.crmsync.model.RetriableSyncException;
import dev.crmsync.model.SyncException;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.testkit.fault.CallLog;
import dev.crmsync.testkit.fault.Fault;
import dev.crmsync.testkit.fault.FaultPlan;
import dev.crmsync.testkit.salesforce.HttpFault;
import dev.crmsync.testkit.salesforce.RecordedRequest;
import dev.crmsync.model.Deletion;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fake server's request handler: routes Salesforce's REST, Bulk 2.0 and OAuth endpoints,
 * applies faults, authentication and the daily limit, and records every request.
 */
public final class SalesforceApi implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceApi.class);

    /** The oldest API version still served (v21–30 were retired in Summer '25). */
    public static final int MIN_VERSION = 31;

    private static final Pattern VERSIONED = Pattern.compile("^/services/data/v(\\d+)\\.(\\d+)(/.*)?$");
    private static final String TOKEN_PATH = "/services/oauth2/token";
    private static final Set<String> SECRET_PARAMS = Set.of("client_secret", "assertion", "refresh_token", "password",
            "code", "client_assertion");
    private static final String JSON = "application/json;charset=UTF-8";
    private static final int DEFAULT_BATCH = 2000;
    private static final int MIN_BATCH = 200;
    private static final int MAX_RETRIEVE_IDS = 2000;
    private static final Duration REPLICATION_REACH = Duration.ofDays(30);
    private static final Duration DELETE_LOG_REACH = Duration.ofDays(15);

    private final Settings settings;
    private final CrmSource crm;
    private final URI baseUri;
    private final IdFactory ids;
    private final String orgId;
    private final String userId;
    private final TokenService tokens;
    private final ApiUsage usage;
    private final ServerConditions conditions = new ServerConditions();
    private final FaultPlan<String> plan = new FaultPlan<>();
    private final CallLog<String> log = new CallLog<>();
    private final QueryCursors cursors;
    private final QueryEngine engine;
    private final Writes writes;
    private final Map<String, BulkJob> jobs = Collections.synchronizedMap(new LinkedHashMap<>());
    private final AtomicLong jobsCreated = new AtomicLong();
    /** Records read for Bulk results and not yet written out, across all requests (a probe for tests). */
    private final java.util.concurrent.atomic.AtomicInteger bulkRowsHeld = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger bulkRowsHeldPeak = new java.util.concurrent.atomic.AtomicInteger();
    private final Map<ObjectType, SchemaVersion> schemaVersions = new ConcurrentHashMap<>();
    private final List<RecordedRequest> recorded = Collections.synchronizedList(new ArrayList<>());

    private record SchemaVersion(ObjectSchema schema, Instant lastModified) {
    }

    /**
     * @param settings the configuration
     * @param baseUri the address the server is bound to
     */
    public SalesforceApi(Settings settings, URI baseUri) {
        this.settings = settings;
        this.baseUri = baseUri;
        this.ids = new IdFactory("5f");
        this.orgId = ids.next("00D");
        this.userId = ids.next("005");
        this.crm = new OrgView(settings.crm(), userId);
        this.tokens = new TokenService(settings.clock(), settings.seed(), baseUri, orgId, userId, settings.apps(),
                settings.jwtSubjects(), settings.refreshTokens(), settings.rotateRefreshTokens(),
                settings.fixedAccessToken());
        this.usage = new ApiUsage(settings.clock(), settings.dailyApiLimit(), settings.perAppName(),
                settings.perAppLimit());
        this.plan.seed(settings.seed());
        this.cursors = new QueryCursors(settings.queryCursorCapacity(), ids);
        this.engine = new QueryEngine(crm, settings.clock());
        this.writes = new Writes(crm, settings.undoCreate(), settings.deleter(), settings.undeleter(),
                this::typeOfPrefix);
    }

    /**
     * The 3-character key prefix of a type's ids: the backing {@code InMemoryCrm}'s when it is one,
     * else Salesforce's for the standard types, else one made from the type's name (stable per
     * object, {@code a} and two base-62 characters, as custom objects' prefixes look).
     *
     * @param type a type
     * @return its key prefix
     */
    public String keyPrefix(ObjectType type) {
        if (settings.crm() instanceof dev.crmsync.testkit.InMemoryCrm memory) {
            Optional<String> p = memory.keyPrefix(type);
            if (p.isPresent()) {
                return p.get();
            }
        }
        String standard = SfJson.keyPrefix(type);
        if (standard != null) {
            return standard;
        }
        String digits = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        int h = Math.floorMod(type.apiName().toLowerCase(Locale.ROOT).hashCode(), 62 * 62);
        return "a" + digits.charAt(h / 62) + digits.charAt(h % 62);
    }

    private Optional<ObjectType> typeOfPrefix(String prefix) {
        for (ObjectType t : crm.availableTypes()) {
            if (keyPrefix(t).equals(prefix)) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** @return the id of the integration user the tokens log in */
    public String userId() {
        return userId;
    }

    /** @return the org's id ({@code 00D…}) */
    public String orgId() {
        return orgId;
    }

    /** @return the token service */
    public TokenService tokens() {
        return tokens;
    }

    /** @return the usage counter */
    public ApiUsage usage() {
        return usage;
    }

    /** @return the conditions set on the server's behaviour */
    public ServerConditions conditions() {
        return conditions;
    }

    /** @return the per-request fault plan, by request path */
    public FaultPlan<String> plan() {
        return plan;
    }

    /** @return the count of requests by endpoint (see {@link #endpoint(String)}) */
    public CallLog<String> log() {
        return log;
    }

    /**
     * @param path a request path
     * @return its endpoint, as {@link #log()} counts it: the path without the
     *     {@code /services/data/vNN.N} prefix (e.g. {@code /query}, {@code /sobjects/Lead/describe}), or
     *     the whole path outside the versioned API (e.g. {@code /services/oauth2/token})
     */
    public static String endpoint(String path) {
        Matcher m = VERSIONED.matcher(path);
        if (!m.matches()) {
            return path;
        }
        return m.group(3) == null || m.group(3).isEmpty() ? "/" : m.group(3);
    }

    /** @return the open query cursors */
    public QueryCursors cursors() {
        return cursors;
    }

    /** @return a copy of the requests received so far, in order of completion */
    public List<RecordedRequest> recorded() {
        synchronized (recorded) {
            return List.copyOf(recorded);
        }
    }

    /** Forgets the requests recorded so far. */
    public void clearRecorded() {
        recorded.clear();
    }

    /** @return Bulk jobs not yet JobComplete, Failed or Aborted */
    public int openBulkJobs() {
        synchronized (jobs) {
            expireJobs();
            return (int) jobs.values().stream().filter(j -> !j.state().isFinal()).count();
        }
    }

    /** @return each Bulk query job the server still keeps, by id in order of creation, with its state */
    public Map<String, String> bulkJobStates() {
        synchronized (jobs) {
            expireJobs();
            Map<String, String> out = new LinkedHashMap<>();
            jobs.values().forEach(j -> out.put(j.id(), j.state().name()));
            return Collections.unmodifiableMap(out);
        }
    }

    /**
     * @return the most Bulk result rows the server has held read at once, over all jobs and
     *     concurrent requests since it started: a results chunk is rendered from records read a page
     *     at a time, so this stays at a page however large the jobs are
     */
    public int bulkRowsHeldPeak() {
        return bulkRowsHeldPeak.get();
    }

    /**
     * Deletes the jobs whose retention ({@link Settings#bulkJobRetention()}, a real org's 7 days by
     * default) has passed since their creation on the server's clock, whatever their state: a real
     * org finishes an abandoned job by itself and then deletes it; the fake, whose jobs move only
     * when polled, deletes it all the same. Runs before every request is answered.
     */
    private void expireJobs() {
        Instant now = settings.clock().instant();
        Duration retention = settings.bulkJobRetention();
        synchronized (jobs) {
            if (!jobs.isEmpty()) {
                jobs.values().removeIf(j -> !j.created().plus(retention).isAfter(now));
            }
        }
    }

    // ================================================================ plumbing

    /** A request as read from the exchange. */
    private record Request(Instant time, String method, String path, Map<String, List<String>> params,
                           Map<String, List<String>> headers, byte[] body, Writes.Journal journal) {
        Request(Instant time, String method, String path, Map<String, List<String>> params,
                Map<String, List<String>> headers, byte[] body) {
            this(time, method, path, params, headers, body, null);
        }

        String param(String name) {
            List<String> v = params.get(name);
            return v == null || v.isEmpty() ? null : v.get(0);
        }

        String header(String name) {
            for (Map.Entry<String, List<String>> e : headers.entrySet()) {
                if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                    return e.getValue().get(0);
                }
            }
            return null;
        }

        String bodyText() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** A response to send. */
    private static final class Reply {
        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        final byte[] body;

        Reply(int status, String contentType, byte[] body) {
            this.status = status;
            this.body = body;
            if (contentType != null) {
                headers.put("Content-Type", contentType);
            }
        }

        static Reply json(int status, JsonNode node) {
            return new Reply(status, JSON, SfJson.bytes(node));
        }

        static Reply empty(int status) {
            return new Reply(status, null, new byte[0]);
        }

        static Reply error(int status, String code, String message) {
            return json(status, SfJson.error(code, message, null));
        }

        static Reply error(ApiException e) {
            return json(e.status(), SfJson.error(e.errorCode(), e.getMessage(), e.fields()));
        }

        Reply header(String name, String value) {
            headers.put(name, value);
            return this;
        }
    }

    /** One exchange in flight: records its request exactly once, before the answer leaves. */
    private final class Call {
        final HttpExchange ex;
        final Request req;
        boolean recordedYet;

        Call(HttpExchange ex, Request req) {
            this.ex = ex;
            this.req = req;
        }

        void record(int status) {
            if (!recordedYet) {
                recordedYet = true;
                recorded.add(SalesforceApi.this.record(req, status));
                log.record(endpoint(req.path()), null, 0);
            }
        }

        void drop() {
            record(0);
            ex.close();
        }

        int send(Reply r) throws IOException {
            record(r.status);
            r.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            boolean noBody = r.body.length == 0 || r.status == 204 || r.status == 304;
            ex.sendResponseHeaders(r.status, noBody ? -1 : r.body.length);
            if (!noBody) {
                try (OutputStream os = ex.getResponseBody()) {
                    os.write(r.body);
                }
            }
            ex.close();
            return r.status;
        }

        int sendTruncated(Reply r) throws IOException {
            record(r.status);
            r.headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
            ex.sendResponseHeaders(r.status, Math.max(r.body.length, 2));
            OutputStream os = ex.getResponseBody();
            os.write(r.body, 0, r.body.length / 2);
            os.flush();
            try {
                ex.close();
            } catch (RuntimeException ignored) {
                // the JDK server complains that the body is short, and closes the connection: that is the point
            }
            return r.status;
        }
    }

    @Override
    public void handle(HttpExchange ex) {
        Request req;
        try {
            req = read(ex);
        } catch (IOException | RuntimeException e) {
            ex.close();
            return;
        }
        Call call = new Call(ex, req);
        try {
            serve(call);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            call.drop();
        } catch (IOException e) {
            call.drop();
        } catch (RuntimeException e) {
            LOG.warn("fake Salesforce server failed on {} {}", req.method(), req.path(), e);
            try {
                call.send(Reply.error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred."));
            } catch (IOException | RuntimeException ignored) {
                call.drop();
            }
        } finally {
            call.record(0);
        }
    }

    private void serve(Call call) throws IOException, InterruptedException {
        Request req = call.req;
        FaultPlan.Due due = plan.onCall(req.path());
        if (!due.delay().isZero()) {
            settings.sleeper().sleep(due.delay());
        }
        Fault fault = due.fault();
        if (fault == null) {
            call.send(route(req));
        } else if (fault instanceof HttpFault.ErrorBody f) {
            Reply r = Reply.error(f.status(), f.errorCode(), f.message());
            if (f.retryAfter() != null) {
                r.header("Retry-After", Long.toString(Math.max(0, f.retryAfter().toSeconds())));
            }
            call.send(r);
        } else if (fault instanceof HttpFault.NonJsonBody n) {
            String html = "<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body>"
                    + "<h1>Maintenance</h1><p>The server is temporarily unable to service your request.</p>"
                    + "</body></html>";
            call.send(new Reply(n.status(), "text/html;charset=UTF-8", html.getBytes(StandardCharsets.UTF_8)));
        } else if (fault instanceof HttpFault.LateAnswer late) {
            if (!late.beforeServing().isZero()) {
                settings.sleeper().sleep(late.beforeServing());
            }
            Reply r = route(req);   // served: a write commits now, whether or not the client still waits
            if (!late.beforeAnswering().isZero()) {
                settings.sleeper().sleep(late.beforeAnswering());
            }
            call.send(r);
        } else if (fault instanceof HttpFault.TruncateBody) {
            call.sendTruncated(route(req));
        } else if (fault instanceof HttpFault.DropConnection || fault instanceof Fault.Crash) {
            call.drop();
        } else if (fault instanceof Fault.LoseAnswer) {
            route(req);   // served (a write commits), then the answer is lost
            call.drop();
        } else if (fault instanceof Fault.Fail f) {
            call.send(f.retriable()
                    ? Reply.error(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable. Please try again.")
                    : Reply.error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred."));
        } else if (fault instanceof Fault.QuotaExceeded) {
            call.send(Reply.error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
        } else {
            call.send(route(req));   // an extension of another fake: not ours to carry out
        }
    }

    private Request read(HttpExchange ex) throws IOException {
        byte[] body;
        try (InputStream in = ex.getRequestBody()) {
            body = in.readAllBytes();
        }
        String encoding = ex.getRequestHeaders().getFirst("Content-Encoding");
        if (encoding != null && body.length > 0) {
            if (encoding.equalsIgnoreCase("gzip")) {
                try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            } else if (encoding.equalsIgnoreCase("deflate")) {
                try (InputStream in = new InflaterInputStream(new ByteArrayInputStream(body))) {
                    body = in.readAllBytes();
                }
            }
        }
        Map<String, List<String>> headers = new LinkedHashMap<>();
        ex.getRequestHeaders().forEach((k, v) -> headers.put(k, List.copyOf(v)));
        return new Request(settings.clock().instant(), ex.getRequestMethod().toUpperCase(Locale.ROOT),
                ex.getRequestURI().getPath(), parseForm(ex.getRequestURI().getRawQuery()), headers, body);
    }

    private static Map<String, List<String>> parseForm(String raw) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    private RecordedRequest record(Request req, int status) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        req.headers().forEach((k, v) -> headers.put(k, k.equalsIgnoreCase("Authorization")
                || k.equalsIgnoreCase("Proxy-Authorization") ? List.of(RecordedRequest.REDACTED) : v));
        Map<String, List<String>> params = req.params();
        String body = req.bodyText();
        if (req.path().equals(TOKEN_PATH)) {
            params = redact(params);
            body = redactForm(body);
        }
        return new RecordedRequest(req.time(), req.method(), req.path(), params, headers, body, status);
    }

    private static Map<String, List<String>> redact(Map<String, List<String>> params) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, SECRET_PARAMS.contains(k) ? List.of(RecordedRequest.REDACTED) : v));
        return out;
    }

    private static String redactForm(String body) {
        if (body.isEmpty()) {
            return body;
        }
        StringBuilder sb = new StringBuilder();
        for (String pair : body.split("&", -1)) {
            if (sb.length() > 0) {
                sb.append('&');
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            if (eq >= 0 && SECRET_PARAMS.contains(URLDecoder.decode(k, StandardCharsets.UTF_8))) {
                sb.append(k).append('=').append(RecordedRequest.REDACTED);
            } else {
                sb.append(pair);
            }
        }
        return sb.toString();
    }

    // ================================================================ routing

    /** The methods a {@code POST ...?_HttpMethod=} may stand for, as Salesforce lets clients without PATCH say. */
    private static final Set<String> METHOD_OVERRIDES = Set.of("PATCH", "DELETE");

    private Reply route(Request wire) {
        Request req = wire;
        String override = wire.param("_HttpMethod");
        if (wire.method().equals("POST") && override != null
                && METHOD_OVERRIDES.contains(override.toUpperCase(Locale.ROOT))) {
            Map<String, List<String>> params = new LinkedHashMap<>(wire.params());
            params.remove("_HttpMethod");
            req = new Request(wire.time(), override.toUpperCase(Locale.ROOT), wire.path(), params, wire.headers(),
                    wire.body(), wire.journal());
        }
        String path = req.path();
        if (path.equals(TOKEN_PATH) || path.equals(TOKEN_PATH + "/")) {
            return token(req);
        }
        if (path.equals("/services/data") || path.equals("/services/data/")) {
            if (!req.method().equals("GET")) {
                return methodNotAllowed(req, "GET");
            }
            return Reply.json(200, versions());
        }
        Matcher soap = SOAP_PATH.matcher(path);
        if (soap.matches()) {
            return soap(req, soap);
        }
        Matcher m = VERSIONED.matcher(path);
        if (!m.matches()) {
            return Reply.error(ApiException.notFound());
        }
        int major;
        try {
            major = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return Reply.error(ApiException.notFound());
        }
        if (!m.group(2).equals("0") || major > settings.latestVersion()) {
            return Reply.error(ApiException.notFound());
        }
        if (major < MIN_VERSION) {
            return Reply.error(410, "GONE", "The requested API version has been retired: v" + major + "."
                    + m.group(2));
        }
        String version = major + ".0";
        if (!tokens.authenticate(req.header("Authorization"))) {
            return Reply.error(401, "INVALID_SESSION_ID", "Session expired or invalid")
                    .header("WWW-Authenticate", "Token");
        }
        ApiUsage.Snapshot counted = usage.tryAcquire();
        if (counted == null) {
            return Reply.error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
                    .header("Sforce-Limit-Info", usage.snapshot().header());
        }
        expireJobs();
        Reply r;
        try {
            r = dispatch(req, version, m.group(3) == null ? "" : m.group(3));
        } catch (ApiException e) {
            r = Reply.error(e);
        } catch (QuotaExceededException e) {
            r = Reply.error(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
        } catch (RetriableSyncException e) {
            r = Reply.error(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable. Please try again.");
        } catch (SyncException e) {
            r = Reply.error(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred: " + e.getMessage());
        }
        return r.header("Sforce-Limit-Info", counted.header());
    }

    /** The partner SOAP endpoint. */
    private static final Pattern SOAP_PATH = Pattern.compile("^/services/Soap/u/(\\d+)\\.0/?$");

    private Reply soap(Request req, Matcher m) {
        int major;
        try {
            major = Integer.parseInt(m.group(1));
        } catch (NumberFormatException e) {
            return Reply.error(ApiException.notFound());
        }
        if (major > settings.latestVersion() || major < MIN_VERSION) {
            return soapReply(SoapApi.fault("sf:UNSUPPORTED_API_VERSION", "UnexpectedErrorFault",
                    "Invalid Api version specified on URL"));
        }
        ApiUsage.Snapshot counted = usage.tryAcquire();
        if (counted == null) {
            return soapReply(SoapApi.fault("sf:REQUEST_LIMIT_EXCEEDED", "UnexpectedErrorFault",
                    "TotalRequests Limit exceeded."));
        }
        SoapApi.Answer a;
        try {
            a = new SoapApi(crm, token -> tokens.authenticate("Bearer " + token)).handle(req.method(), req.body());
        } catch (QuotaExceededException e) {
            a = SoapApi.fault("sf:REQUEST_LIMIT_EXCEEDED", "UnexpectedErrorFault", "TotalRequests Limit exceeded.");
        } catch (RetriableSyncException e) {
            return Reply.error(503, "SERVER_UNAVAILABLE", "Service temporarily unavailable. Please try again.");
        } catch (SyncException e) {
            a = SoapApi.fault("sf:UNKNOWN_EXCEPTION", "UnexpectedErrorFault", "An unexpected error occurred");
        }
        return soapReply(a).header("Sforce-Limit-Info", counted.header());
    }

    private static Reply soapReply(SoapApi.Answer a) {
        return new Reply(a.status(), "text/xml;charset=UTF-8", a.xml().getBytes(StandardCharsets.UTF_8));
    }

    private Reply dispatch(Request req, String version, String rest) {
        String trimmed = rest;
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        List<String> s = trimmed.isEmpty() ? List.of() : List.of(trimmed.substring(1).split("/", -1));
        String method = req.method();
        int n = s.size();
        if (n == 0) {
            return get(req, "GET") ? Reply.json(200, resources(version)) : methodNotAllowed(req, "GET");
        }
        switch (s.get(0)) {
            case "limits":
                if (n == 1) {
                    return get(req, "GET") ? Reply.json(200, limits()) : methodNotAllowed(req, "GET");
                }
                break;
            case "sobjects":
                return sobjects(req, version, s);
            case "query":
            case "queryAll":
                if (!method.equals("GET")) {
                    return methodNotAllowed(req, "GET");
                }
                if (n == 1) {
                    return query(req, version, s.get(0).equals("queryAll"));
                }
                if (n == 2) {
                    return queryMore(req, version, s.get(1));
                }
                break;
            case "composite":
                if (n >= 2 && s.get(1).equals("sobjects")) {
                    return collections(req, version, s);
                }
                if (n == 1) {
                    return req.method().equals("POST") ? composite(req, version) : methodNotAllowed(req, "POST");
                }
                break;
            case "jobs":
                if (n >= 2 && s.get(1).equals("query")) {
                    return bulk(req, version, s);
                }
                break;
            default:
                break;
        }
        throw ApiException.notFound();
    }

    private static boolean get(Request req, String allowed) {
        return req.method().equals(allowed);
    }

    private static Reply methodNotAllowed(Request req, String allowed) {
        return Reply.error(405, "METHOD_NOT_ALLOWED", "HTTP Method '" + req.method() + "' not allowed. Allowed are "
                + allowed).header("Allow", allowed);
    }

    // ================================================================ OAuth, versions, limits

    private Reply token(Request req) {
        if (!req.method().equals("POST")) {
            return methodNotAllowed(req, "POST");
        }
        Map<String, String> form = new LinkedHashMap<>();
        req.params().forEach((k, v) -> form.put(k, v.get(0)));
        parseForm(req.bodyText()).forEach((k, v) -> form.put(k, v.get(0)));
        try {
            return Reply.json(200, tokens.grant(form, req.header("Authorization")));
        } catch (TokenService.OAuthError e) {
            return Reply.json(e.status(), e.body());
        }
    }

    private ArrayNode versions() {
        ArrayNode a = SfJson.array();
        for (int v = MIN_VERSION; v <= settings.latestVersion(); v++) {
            ObjectNode o = a.addObject();
            o.put("label", SfFormats.releaseLabel(v));
            o.put("url", "/services/data/v" + v + ".0");
            o.put("version", v + ".0");
        }
        return a;
    }

    private static ObjectNode resources(String version) {
        ObjectNode o = SfJson.object();
        String base = "/services/data/v" + version;
        o.put("sobjects", base + "/sobjects");
        o.put("query", base + "/query");
        o.put("queryAll", base + "/queryAll");
        o.put("composite", base + "/composite");
        o.put("jobs", base + "/jobs");
        o.put("limits", base + "/limits");
        return o;
    }

    /**
     * The entries of a real org's {@code /limits} besides the ones the server counts
     * ({@code DailyApiRequests}, {@code DailyBulkV2QueryJobs}), with a Developer Edition org's
     * maxima, in the org's (alphabetical) order; each {@code {Max, Remaining}}.
     */
    private static final Map<String, Long> STATIC_LIMITS = staticLimits();

    private static Map<String, Long> staticLimits() {
        Map<String, Long> m = new java.util.TreeMap<>();
        Object[] table = {
            "AnalyticsExternalDataSizeMB", 40_960L, "BOZosCalloutHourlyLimit", 20_000L,
            "ConcurrentAsyncGetReportInstances", 200L, "ConcurrentEinsteinDataInsightsStoryCreation", 5L,
            "ConcurrentEinsteinDiscoveryStoryCreation", 2L, "ConcurrentSyncReportRuns", 20L,
            "DailyAnalyticsDataflowJobExecutions", 60L, "DailyAnalyticsUploadedFilesSizeMB", 51_200L,
            "DailyAsyncApexExecutions", 250_000L, "DailyBulkApiBatches", 15_000L, "DailyBulkApiRequests", 5_000L,
            "DailyBulkV2QueryFileStorageMB", 976_562L, "DailyDurableGenericStreamingApiEvents", 10_000L,
            "DailyDurableStreamingApiEvents", 10_000L, "DailyEinsteinDataInsightsStoryCreation", 1_000L,
            "DailyEinsteinDiscoveryPredictAPICalls", 50_000L, "DailyEinsteinDiscoveryPredictionsByCDC", 500_000L,
            "DailyEinsteinDiscoveryStoryCreation", 100L, "DailyFunctionsApiCallLimit", 50_000L,
            "DailyGenericStreamingApiEvents", 10_000L, "DailyStandardVolumePlatformEvents", 10_000L,
            "DailyStreamingApiEvents", 10_000L, "DailyWorkflowEmails", 390L, "DataStorageMB", 5L,
            "DurableStreamingApiConcurrentClients", 20L, "FileStorageMB", 20L, "HourlyAsyncReportRuns", 1_200L,
            "HourlyDashboardRefreshes", 200L, "HourlyDashboardResults", 5_000L, "HourlyDashboardStatuses", 999_999_999L,
            "HourlyLongTermIdMapping", 100_000L, "HourlyManagedContentPublicRequests", 50_000L,
            "HourlyODataCallout", 10_000L, "HourlyPublishedPlatformEvents", 50_000L,
            "HourlyPublishedStandardVolumePlatformEvents", 1_000L, "HourlyShortTermIdMapping", 100_000L,
            "HourlySyncReportRuns", 500L, "HourlyTimeBasedWorkflow", 50L, "MassEmail", 10L,
            "MonthlyEinsteinDiscoveryStoryCreation", 500L, "MonthlyPlatformEventsUsageEntitlement", 0L,
            "Package2VersionCreates", 6L, "Package2VersionCreatesWithoutValidation", 500L, "PermissionSets", 1_500L,
            "PrivateConnectOutboundCalloutHourlyLimitMB", 0L, "SingleEmail", 15L, "StreamingApiConcurrentClients", 20L,
        };
        for (int i = 0; i < table.length; i += 2) {
            m.put((String) table[i], (Long) table[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /** Bulk API 2.0 query jobs a day, as a real org allows. */
    private static final long DAILY_BULK_V2_QUERY_JOBS = 10_000;

    private ObjectNode limits() {
        ApiUsage.Snapshot u = usage.snapshot();
        Map<String, long[]> all = new java.util.TreeMap<>();
        STATIC_LIMITS.forEach((k, max) -> all.put(k, new long[] {max, max}));
        all.put("DailyApiRequests", new long[] {u.max(), u.remaining()});
        all.put("DailyBulkV2QueryJobs", new long[] {DAILY_BULK_V2_QUERY_JOBS,
                Math.max(0, DAILY_BULK_V2_QUERY_JOBS - jobsCreated.get())});
        ObjectNode o = SfJson.object();
        all.forEach((name, mr) -> {
            ObjectNode e = limit(o, name, mr[0], mr[1]);
            if (name.equals("DailyApiRequests") && u.appName() != null) {
                ObjectNode app = e.putObject(u.appName());
                app.put("Max", u.appMax());
                app.put("Remaining", Math.max(0, u.appMax() - u.appUsed()));
            }
        });
        return o;
    }

    private static ObjectNode limit(ObjectNode parent, String name, long max, long remaining) {
        ObjectNode o = parent.putObject(name);
        o.put("Max", max);
        o.put("Remaining", remaining);
        return o;
    }

    // ================================================================ sobjects

    private Reply sobjects(Request req, String version, List<String> s) {
        int n = s.size();
        if (n == 4 && req.method().equals("PATCH")) {
            ObjectType type = typeOrNotFound(s.get(1));
            Writes.Single one = writes.upsertOne(parseJson(req), type, s.get(2), s.get(3), req.journal());
            if (one.status() == 300) {
                ArrayNode urls = SfJson.array();
                one.matches().forEach(id -> urls.add("/services/data/v" + version + "/sobjects/" + type.apiName()
                        + "/" + id));
                return Reply.json(300, urls);
            }
            return Reply.json(one.status(), one.body());
        }
        if (n == 2 && req.method().equals("POST")) {
            ObjectType type = typeOrNotFound(s.get(1));
            Writes.Single one = writes.createOne(parseJson(req), type, req.journal());
            Reply r = Reply.json(one.status(), one.body());
            if (one.status() == 201) {
                r.header("Location", "/services/data/v" + version + "/sobjects/" + type.apiName() + "/"
                        + one.body().path("id").asText());
            }
            return r;
        }
        if (n == 3 && !isSubresource(s.get(2)) && (req.method().equals("PATCH") || req.method().equals("DELETE"))) {
            ObjectType type = typeOrNotFound(s.get(1));
            Writes.Single one = req.method().equals("PATCH")
                    ? writes.updateOne(parseJson(req), type, s.get(2), req.journal())
                    : writes.deleteOne(type, s.get(2), req.journal());
            return one.body() == null ? Reply.empty(one.status()) : Reply.json(one.status(), one.body());
        }
        if (!req.method().equals("GET")) {
            return n == 2 ? methodNotAllowed(req, "GET, POST")
                    : n == 3 && !isSubresource(s.get(2)) ? methodNotAllowed(req, "GET, PATCH, DELETE")
                    : methodNotAllowed(req, "GET");
        }
        if (n == 1) {
            ObjectNode o = SfJson.object();
            o.put("encoding", "UTF-8");
            o.put("maxBatchSize", 200);
            ArrayNode list = o.putArray("sobjects");
            crm.availableTypes().stream().sorted(Comparator.comparing(ObjectType::apiName))
                    .forEach(t -> crm.describe(t).ifPresent(schema -> list.add(SfJson.globalEntry(schema, version, keyPrefix(t)))));
            return Reply.json(200, o);
        }
        ObjectType type = typeOrNotFound(s.get(1));
        if (n == 2) {
            ObjectSchema schema = crm.describe(type).orElseThrow(ApiException::notFound);
            ObjectNode o = SfJson.object();
            o.set("objectDescribe", SfJson.globalEntry(schema, version, keyPrefix(type)));
            o.putArray("recentItems");
            return Reply.json(200, o);
        }
        if (n == 3) {
            switch (s.get(2)) {
                case "describe":
                    return describe(req, version, type);
                case "updated":
                    return updated(req, type);
                case "deleted":
                    return deleted(req, type);
                default:
                    return retrieveOne(req, version, type, s.get(2));
            }
        }
        throw ApiException.notFound();
    }

    private static boolean isSubresource(String segment) {
        return segment.equals("describe") || segment.equals("updated") || segment.equals("deleted");
    }

    private ObjectType typeOrNotFound(String name) {
        for (ObjectType t : crm.availableTypes()) {
            if (t.apiName().equalsIgnoreCase(name)) {
                return t;
            }
        }
        throw ApiException.notFound();
    }

    private Reply describe(Request req, String version, ObjectType type) {
        ObjectSchema schema = crm.describe(type).orElseThrow(ApiException::notFound);
        Instant now = settings.clock().instant().truncatedTo(ChronoUnit.SECONDS);
        SchemaVersion v = schemaVersions.compute(type, (t, old) -> {
            if (old == null) {
                return new SchemaVersion(schema, now);
            }
            if (old.schema().equals(schema)) {
                return old;
            }
            Instant next = old.lastModified().plusSeconds(1);
            return new SchemaVersion(schema, now.isAfter(next) ? now : next);
        });
        String lastModified = DateTimeFormatter.RFC_1123_DATE_TIME.format(v.lastModified().atZone(ZoneOffset.UTC));
        String since = req.header("If-Modified-Since");
        if (since != null) {
            Instant ims = httpDate(since.trim());
            if (ims != null && !v.lastModified().isAfter(ims)) {
                return Reply.empty(304).header("Last-Modified", lastModified);
            }
        }
        return Reply.json(200, SfJson.describe(schema, version, keyPrefix(type), engine.childRelationships(type))).header("Last-Modified", lastModified);
    }

    /** RFC 1123 ({@code GMT} or an offset), or the same with a zone name ({@code UTC}, {@code PST}), as clients send it. */
    private static final DateTimeFormatter HTTP_DATE_WITH_ZONE_NAME =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss z", Locale.US);

    /** @return the instant of an {@code If-Modified-Since} value, or null when it cannot be read (then it is ignored, as HTTP says) */
    private static Instant httpDate(String value) {
        for (DateTimeFormatter f : List.of(DateTimeFormatter.RFC_1123_DATE_TIME, HTTP_DATE_WITH_ZONE_NAME)) {
            try {
                return f.parse(value, Instant::from);
            } catch (DateTimeParseException ignored) {
                // try the next form
            }
        }
        return null;
    }

    private Instant[] replicationWindow(Request req) {
        Instant start = replicationParam(req, "start");
        Instant end = replicationParam(req, "end");
        Instant now = settings.clock().instant();
        if (!start.isBefore(end)) {
            throw new ApiException(400, "INVALID_REPLICATION_DATE",
                    "startDate must chronologically precede endDate by more than one minute");
        }
        if (start.isBefore(now.minus(REPLICATION_REACH).truncatedTo(ChronoUnit.MINUTES))) {
            throw new ApiException(400, "INVALID_REPLICATION_DATE", "startDate cannot be more than 30 days ago");
        }
        return new Instant[] {start, end, now.truncatedTo(ChronoUnit.MINUTES)};
    }

    private static Instant replicationParam(Request req, String name) {
        String raw = req.param(name);
        if (raw == null || raw.isBlank()) {
            throw new ApiException(400, "MISSING_ARGUMENT", name + " not specified");
        }
        return SfFormats.parseDateTime(raw)
                .orElseThrow(() -> new ApiException(400, "INVALID_REPLICATION_DATE", name + ": invalid date: " + raw))
                .truncatedTo(ChronoUnit.MINUTES);
    }

    private Reply updated(Request req, ObjectType type) {
        Instant[] w = replicationWindow(req);
        Instant latest = w[1].isBefore(w[2]) ? w[1] : w[2];
        Soql soql = SoqlParser.parse("SELECT Id FROM " + type.apiName() + " WHERE SystemModstamp >= " + w[0]
                + " AND SystemModstamp < " + latest);
        ArrayNode idList = SfJson.array();
        List<SyncRecord> rows = engine.execute(engine.prepare(soql), false, null).rows();
        if (rows.size() > 600_000) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "too many ids; narrow the window");
        }
        rows.forEach(r -> idList.add(r.id().value()));
        ObjectNode o = SfJson.object();
        o.set("ids", idList);
        o.put("latestDateCovered", SfFormats.jsonDateTime(latest));
        return Reply.json(200, o);
    }

    private Reply deleted(Request req, ObjectType type) {
        Instant[] w = replicationWindow(req);
        DeletedRecords d = crm.deletedSince(type, w[0], w[1]);
        if (d.deletions().size() > 600_000) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "too many ids; narrow the window");
        }
        ObjectNode o = SfJson.object();
        ArrayNode list = o.putArray("deletedRecords");
        for (Deletion del : d.deletions()) {
            ObjectNode e = list.addObject();
            e.put("id", del.crmId().value());
            e.put("deletedDate", SfFormats.jsonDateTime(del.deletedAt()));
        }
        // the recycle bin's horizon: a real org keeps deletions at most 15 days, so the log never
        // reaches back further, whether or not anything was purged yet
        Instant reach = settings.clock().instant().minus(DELETE_LOG_REACH);
        Instant horizon = reach.truncatedTo(ChronoUnit.MINUTES);
        if (horizon.isBefore(reach)) {
            horizon = horizon.plus(Duration.ofMinutes(1));
        }
        Instant earliest = d.earliestDateAvailable().isAfter(horizon) ? d.earliestDateAvailable() : horizon;
        o.put("earliestDateAvailable", SfFormats.jsonDateTime(earliest));
        o.put("latestDateCovered", SfFormats.jsonDateTime(d.latestDateCovered()));
        return Reply.json(200, o);
    }

    private Reply retrieveOne(Request req, String version, ObjectType type, String rawId) {
        CrmId id;
        try {
            id = CrmId.of(rawId);
        } catch (IllegalArgumentException e) {
            throw ApiException.notFound();
        }
        ObjectSchema schema = crm.describe(type).orElseThrow(ApiException::notFound);
        List<QueryEngine.Column> columns = columns(schema, req.param("fields"), type);
        List<SyncRecord> found = crm.fetch(type, List.of(id), readSet(schema, columns));
        SyncRecord r = found.stream().filter(x -> x.id().equals(id)).findFirst()
                .orElseThrow(ApiException::notFound);
        if (r.deleted()) {
            throw Writes.entityIsDeleted();
        }
        return Reply.json(200, SfJson.record(type, r, columns, version));
    }

    /** The columns named by a {@code fields} parameter, or every readable field when absent. */
    private static List<QueryEngine.Column> columns(ObjectSchema schema, String fieldsParam, ObjectType type) {
        Map<String, dev.crmsync.crm.FieldSchema> catalog = QueryEngine.catalog(schema);
        List<QueryEngine.Column> columns = new ArrayList<>();
        if (fieldsParam == null || fieldsParam.isBlank()) {
            // every field but binary ones: a real org's retrieve includes compound addresses as objects
            catalog.values().stream().filter(f -> f.type() != FieldType.BASE64 && f.type() != FieldType.LOCATION)
                    .forEach(f -> columns.add(new QueryEngine.Column(f.name(), f.type())));
            return columns;
        }
        for (String raw : fieldsParam.split(",")) {
            String name = raw.trim();
            dev.crmsync.crm.FieldSchema f = catalog.get(name.toLowerCase(Locale.ROOT));
            if (f == null) {
                throw new ApiException(400, "INVALID_FIELD", "No such column '" + name + "' on entity '"
                        + type.apiName() + "'. If you are attempting to use a custom field, be sure to append the "
                        + "'__c' after the custom field name. Please reference your WSDL or the describe call for the "
                        + "appropriate names.");
            }
            if (columns.stream().noneMatch(c -> c.name().equals(f.name()))) {
                columns.add(new QueryEngine.Column(f.name(), f.type()));
            }
        }
        return columns;
    }

    private static Set<String> readSet(ObjectSchema schema, List<QueryEngine.Column> columns) {
        Set<String> described = schema.fieldsByName().keySet();
        Set<String> read = new java.util.HashSet<>();
        for (QueryEngine.Column c : columns) {
            if (c.type() == FieldType.ADDRESS) {
                QueryEngine.addressComponents(c.name()).values().stream().filter(described::contains)
                        .forEach(read::add);
            }
            if (described.contains(c.name()) && !c.name().equals(QueryEngine.ID)
                    && !c.name().equals(QueryEngine.IS_DELETED) && !c.name().equals(QueryEngine.SYSTEM_MODSTAMP)) {
                read.add(c.name());
            }
        }
        return read;
    }

    // ================================================================ query

    private QueryEngine.Prepared prepare(String q) {
        if (q == null || q.isBlank()) {
            throw new ApiException(400, "MALFORMED_QUERY", "A query string has to be specified");
        }
        try {
            return engine.prepare(SoqlParser.parse(q));
        } catch (SoqlException e) {
            throw new ApiException(400, e.errorCode(), e.describe(q));
        }
    }

    private static int batchSize(Request req, int fallback) {
        String options = req.header("Sforce-Query-Options");
        if (options == null) {
            return fallback;
        }
        for (String part : options.split(",")) {
            String[] kv = part.trim().split("=", 2);
            if (kv.length == 2 && kv[0].trim().equalsIgnoreCase("batchSize")) {
                try {
                    int n = Integer.parseInt(kv[1].trim());
                    return Math.max(MIN_BATCH, Math.min(DEFAULT_BATCH, n));
                } catch (NumberFormatException e) {
                    return fallback;
                }
            }
        }
        return fallback;
    }

    private Reply query(Request req, String version, boolean all) {
        QueryEngine.Prepared p = prepare(req.param("q"));
        if (p.kind() == QueryEngine.Kind.RECORDS && p.children().isEmpty()) {
            // a real org's cursor gathers the ids when the query runs; pages read their rows by id
            Integer timeoutAbove = conditions.queryTimeoutAbove();
            Snapshot rows = timeoutAbove == null ? engine.snapshot(p, all)
                    // the fault counts the rows matching before any LIMIT, as execute does (records held only here)
                    : Snapshot.of(engine.execute(p, all, timeoutAbove).rows());
            ObjectNode o = SfJson.object();
            o.put("totalSize", rows.size());
            return idPage(o, p, rows, all, 0, batchSize(req, DEFAULT_BATCH), version, null);
        }
        QueryEngine.Result result = engine.execute(p, all, conditions.queryTimeoutAbove());
        ObjectNode o = SfJson.object();
        o.put("totalSize", result.totalSize());
        switch (p.kind()) {
            case COUNT -> {
                o.put("done", true);
                o.putArray("records");
                return Reply.json(200, o);
            }
            case AGGREGATE -> {
                o.put("done", true);
                ArrayNode records = o.putArray("records");
                for (Map<String, dev.crmsync.model.FieldValue> group : result.groups()) {
                    ObjectNode row = records.addObject();
                    row.putObject("attributes").put("type", "AggregateResult");
                    for (QueryEngine.AggregateColumn c : p.aggregates()) {
                        row.set(c.name(), SfJson.value(group.get(c.name()), c.type()));
                    }
                }
                return Reply.json(200, o);
            }
            default -> {
                int batch = batchSize(req, DEFAULT_BATCH);
                return page(o, result, 0, batch, version, null);
            }
        }
    }

    private Reply page(ObjectNode o, QueryEngine.Result result, int offset, int batch, String version,
                       QueryCursors.Open cursor) {
        List<SyncRecord> rows = result.rows();
        int end = Math.min(rows.size(), offset + batch);
        boolean done = end >= rows.size();
        o.put("done", done);
        if (!done) {
            QueryCursors.Open c = cursor != null ? cursor : cursors.open(result, batch);
            o.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + c.locator() + "-" + end);
        }
        ArrayNode records = o.putArray("records");
        ObjectType type = result.prepared().type();
        List<QueryEngine.Column> columns = result.prepared().columns();
        for (int i = offset; i < end; i++) {
            ObjectNode rec = SfJson.record(type, rows.get(i), columns, version);
            for (QueryEngine.ChildQuery c : result.prepared().children().values()) {
                // a child subquery: a nested QueryResult, or null when the record has no such children
                List<SyncRecord> kids = result.children().getOrDefault(c.relationship().name(), Map.of())
                        .getOrDefault(rows.get(i).id(), List.of());
                if (kids.isEmpty()) {
                    rec.putNull(c.relationship().name());
                    continue;
                }
                ObjectNode nested = rec.putObject(c.relationship().name());
                nested.put("totalSize", kids.size());
                nested.put("done", true);
                ArrayNode kidRecords = nested.putArray("records");
                for (SyncRecord k : kids) {
                    kidRecords.add(SfJson.record(c.relationship().child(), k, c.prepared().columns(), version));
                }
            }
            records.add(rec);
        }
        return Reply.json(200, o);
    }

    /**
     * A page of a records query from its rows' ids: each row read again by id, in the order the query
     * gathered the ids. A row is sent as it was when the query ran; one changed since (its
     * {@code SystemModstamp} moved), purged since or, for query, deleted since is left out of its page
     * (its new version is the next change read's), so a page may hold fewer rows than the batch size,
     * as a real org's may. A real org's cursor gathers the ids when the query runs and reads each page
     * as the rows are then, so it would send a changed row at its old place with its new values (out of
     * the query's order, perhaps no longer matching its filter): the fake, which keeps no old versions,
     * leaves it out as its Bulk results do.
     */
    private Reply idPage(ObjectNode o, QueryEngine.Prepared p, Snapshot rows, boolean all, int offset, int batch,
                         String version, QueryCursors.Open cursor) {
        int end = Math.min(rows.size(), offset + batch);
        boolean done = end >= rows.size();
        o.put("done", done);
        if (!done) {
            QueryCursors.Open c = cursor != null ? cursor : cursors.open(p, rows, batch, all);
            o.put("nextRecordsUrl", "/services/data/v" + version + "/query/" + c.locator() + "-" + end);
        }
        ArrayNode records = o.putArray("records");
        int step = engine.rereadPageSize();
        for (int from = offset; from < end; from += step) {
            int to = Math.min(end, from + step);
            Map<CrmId, SyncRecord> read = engine.reread(p, rows.ids(from, to));
            for (int i = from; i < to; i++) {
                SyncRecord r = read.get(rows.id(i));
                if (r == null || !r.modstamp().equals(rows.stamp(i)) || (!all && r.deleted())) {
                    continue;
                }
                records.add(SfJson.record(p.type(), r, p.columns(), version));
            }
        }
        return Reply.json(200, o);
    }

    private Reply queryMore(Request req, String version, String locatorAndOffset) {
        int dash = locatorAndOffset.lastIndexOf('-');
        ApiException invalid = new ApiException(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
        if (dash < 0) {
            throw invalid;
        }
        QueryCursors.Open c = cursors.get(locatorAndOffset.substring(0, dash)).orElseThrow(() -> invalid);
        int offset;
        try {
            offset = Integer.parseInt(locatorAndOffset.substring(dash + 1));
        } catch (NumberFormatException e) {
            throw invalid;
        }
        if (offset < 0 || offset > c.size()) {
            throw invalid;
        }
        int batch = batchSize(req, c.batchSize());
        ObjectNode o = SfJson.object();
        if (c.rows() != null) {
            o.put("totalSize", c.rows().size());
            return idPage(o, c.prepared(), c.rows(), c.includeDeleted(), offset, batch, version, c);
        }
        o.put("totalSize", c.result().totalSize());
        return page(o, c.result(), offset, batch, version, c);
    }

    // ================================================================ sObject Collections

    private Reply collections(Request req, String version, List<String> s) {
        String method = req.method();
        if (s.size() == 2) {
            if (method.equals("POST") || method.equals("PATCH")) {
                JsonNode body = parseJson(req);
                return Reply.json(200, writes.write(body, method.equals("POST"), req.journal()));
            }
            if (method.equals("DELETE")) {
                return Reply.json(200, writes.deleteMany(req.param("ids"), "true".equalsIgnoreCase(req.param("allOrNone")),
                        req.journal()));
            }
            return methodNotAllowed(req, "POST, PATCH, DELETE");
        }
        if (s.size() == 4) {
            ObjectType type = typeOrNotFound(s.get(2));
            if (method.equals("PATCH")) {
                JsonNode body = parseJson(req);
                return Reply.json(200, writes.upsert(body, type, s.get(3), req.journal()));
            }
            return methodNotAllowed(req, "PATCH");
        }
        if (s.size() == 3) {
            ObjectType type = typeOrNotFound(s.get(2));
            if (method.equals("GET")) {
                return retrieveMany(version, type, req.param("ids"), req.param("fields"));
            }
            if (method.equals("POST")) {
                JsonNode body = parseJson(req);
                return retrieveMany(version, type, joined(body.path("ids")), joined(body.path("fields")));
            }
            return methodNotAllowed(req, "GET, POST");
        }
        throw ApiException.notFound();
    }

    // ================================================================ Composite

    private static final int MAX_SUBREQUESTS = 25;
    private static final Pattern REFERENCE_ID = Pattern.compile("[A-Za-z][A-Za-z0-9_]*");
    private static final Pattern REFERENCE = Pattern.compile("@\\{([A-Za-z][A-Za-z0-9_]*)\\.([^}]+)}");
    private static final String HALTED = "The transaction was rolled back since another operation in the same "
            + "transaction failed.";

    /** A subrequest's reference that cannot be resolved: the subrequest answers 400 PROCESSING_HALTED. */
    private static final class BadReference extends Exception {
        private static final long serialVersionUID = 1L;

        BadReference(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * {@code POST /composite}: up to 25 subrequests run in order, each answered in
     * {@code compositeResponse} with {@code body}, {@code httpHeaders}, {@code httpStatusCode} and
     * {@code referenceId}; {@code @{ref.path}} in a later subrequest's URL or body is replaced by
     * the value at that path in an earlier one's body. With {@code allOrNone}, the first failure
     * rolls back every write before it and the other subrequests answer 400 {@code PROCESSING_HALTED};
     * without it, the others run and only those that refer to a failed one are halted. The whole
     * request counts as one API call and answers 200.
     */
    private Reply composite(Request req, String version) {
        JsonNode body = parseJson(req);
        if (!body.isObject()) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Expected a JSON object with compositeRequest");
        }
        JsonNode subs = body.path("compositeRequest");
        if (!subs.isArray() || subs.isEmpty()) {
            throw new ApiException(400, "INVALID_INPUT", "compositeRequest must hold at least 1 subrequest");
        }
        if (subs.size() > MAX_SUBREQUESTS) {
            throw new ApiException(400, "INVALID_INPUT", "Composite request can contain at most " + MAX_SUBREQUESTS
                    + " subrequests, was " + subs.size());
        }
        Set<String> refIds = new java.util.HashSet<>();
        for (JsonNode sub : subs) {
            String refId = sub.path("referenceId").asText("");
            if (!REFERENCE_ID.matcher(refId).matches()) {
                throw new ApiException(400, "INVALID_INPUT", "Each subrequest needs a referenceId of letters, digits "
                        + "and underscores that starts with a letter, was '" + refId + "'");
            }
            if (!refIds.add(refId)) {
                throw new ApiException(400, "INVALID_INPUT", "Duplicate referenceId provided in the request: "
                        + refId);
            }
            String method = sub.path("method").asText("");
            if (!Set.of("GET", "POST", "PATCH", "PUT", "DELETE").contains(method)) {
                throw new ApiException(400, "INVALID_INPUT", "Invalid method '" + method + "' in subrequest " + refId);
            }
            if (!sub.path("url").isTextual() || !sub.path("url").asText().startsWith("/services/data/v")) {
                throw new ApiException(400, "INVALID_INPUT", "The url of subrequest " + refId
                        + " must start with /services/data/vXX.X");
            }
        }
        boolean allOrNone = body.path("allOrNone").asBoolean(false);
        Writes.Journal journal = allOrNone ? new Writes.Journal() : null;
        Map<String, JsonNode> bodies = new LinkedHashMap<>();
        Set<String> failed = new java.util.HashSet<>();
        List<ObjectNode> out = new ArrayList<>();
        int firstFailure = -1;
        for (int i = 0; i < subs.size(); i++) {
            JsonNode sub = subs.get(i);
            String refId = sub.path("referenceId").asText();
            if (allOrNone && firstFailure >= 0) {
                out.add(halted(refId, HALTED));
                continue;
            }
            ObjectNode answer;
            try {
                String url = resolve(sub.path("url").asText(), bodies, failed);
                JsonNode subBody = sub.has("body") && !sub.get("body").isNull()
                        ? resolve(sub.get("body"), bodies, failed) : null;
                answer = subrequest(req, sub.path("method").asText(), url, subBody, refId, journal);
            } catch (BadReference e) {
                answer = halted(refId, e.getMessage());
            }
            out.add(answer);
            if (answer.path("httpStatusCode").asInt() >= 400) {
                failed.add(refId);
                if (firstFailure < 0) {
                    firstFailure = i;
                }
            } else {
                bodies.put(refId, answer.path("body"));
            }
        }
        if (allOrNone && firstFailure >= 0) {
            journal.rollBack();
            for (int i = 0; i < firstFailure; i++) {
                out.set(i, halted(out.get(i).path("referenceId").asText(), HALTED));
            }
        }
        ObjectNode o = SfJson.object();
        ArrayNode responses = o.putArray("compositeResponse");
        out.forEach(responses::add);
        return Reply.json(200, o);
    }

    private static ObjectNode halted(String refId, String message) {
        ObjectNode a = SfJson.object();
        ArrayNode err = a.putArray("body");
        ObjectNode e = err.addObject();
        e.put("errorCode", "PROCESSING_HALTED");
        e.put("message", message);
        a.putObject("httpHeaders");
        a.put("httpStatusCode", 400);
        a.put("referenceId", refId);
        return a;
    }

    private ObjectNode subrequest(Request parent, String method, String url, JsonNode body, String refId,
                                  Writes.Journal journal) {
        int q = url.indexOf('?');
        String path = q < 0 ? url : url.substring(0, q);
        Map<String, List<String>> params = parseForm(q < 0 ? null : url.substring(q + 1));
        Map<String, List<String>> headers = new LinkedHashMap<>();
        headers.put("Content-Type", List.of("application/json"));
        byte[] bytes = body == null ? new byte[0] : SfJson.bytes(body);
        Request sub = new Request(parent.time(), method, path, params, headers, bytes, journal);
        Matcher m = VERSIONED.matcher(path);
        Reply r;
        if (!m.matches() || !m.group(2).equals("0")) {
            r = Reply.error(ApiException.notFound());
        } else {
            String rest = m.group(3) == null ? "" : m.group(3);
            int major = Integer.parseInt(m.group(1));
            if (major > settings.latestVersion()) {
                r = Reply.error(ApiException.notFound());
            } else if (major < MIN_VERSION) {
                r = Reply.error(410, "GONE", "The requested API version has been retired: v" + major + ".0");
            } else if (rest.startsWith("/composite") && !rest.startsWith("/composite/sobjects")) {
                r = Reply.error(400, "INVALID_INPUT", "A composite subrequest cannot be a composite request");
            } else if (rest.startsWith("/jobs")) {
                r = Reply.error(400, "INVALID_INPUT", "Bulk API requests are not supported in a composite request");
            } else {
                try {
                    r = dispatch(sub, major + ".0", rest);
                } catch (ApiException e) {
                    r = Reply.error(e);
                }
            }
        }
        ObjectNode a = SfJson.object();
        if (r.body.length == 0) {
            a.putNull("body");
        } else {
            try {
                a.set("body", SfJson.MAPPER.readTree(r.body));
            } catch (IOException e) {
                a.put("body", new String(r.body, StandardCharsets.UTF_8));
            }
        }
        ObjectNode h = a.putObject("httpHeaders");
        String location = r.headers.get("Location");
        if (location != null) {
            h.put("Location", location);
        }
        a.put("httpStatusCode", r.status);
        a.put("referenceId", refId);
        return a;
    }

    /** Replaces each {@code @{ref.path}} in a text by the value at the path in that subrequest's body. */
    private static String resolve(String text, Map<String, JsonNode> bodies, Set<String> failed) throws BadReference {
        Matcher m = REFERENCE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(sb, Matcher.quoteReplacement(lookup(m.group(1), m.group(2), bodies, failed).asText()));
        }
        m.appendTail(sb);
        return sb.toString();
    }

    private static JsonNode resolve(JsonNode node, Map<String, JsonNode> bodies, Set<String> failed)
            throws BadReference {
        if (node.isTextual()) {
            Matcher whole = REFERENCE.matcher(node.asText());
            if (whole.matches()) {
                JsonNode v = lookup(whole.group(1), whole.group(2), bodies, failed);
                return v.isContainerNode() ? v : v.isTextual() ? v : v.deepCopy();
            }
            return com.fasterxml.jackson.databind.node.TextNode.valueOf(resolve(node.asText(), bodies, failed));
        }
        if (node.isObject()) {
            ObjectNode o = SfJson.object();
            for (Map.Entry<String, JsonNode> e : node.properties()) {
                o.set(e.getKey(), resolve(e.getValue(), bodies, failed));
            }
            return o;
        }
        if (node.isArray()) {
            ArrayNode a = SfJson.array();
            for (JsonNode e : node) {
                a.add(resolve(e, bodies, failed));
            }
            return a;
        }
        return node;
    }

    private static JsonNode lookup(String refId, String path, Map<String, JsonNode> bodies, Set<String> failed)
            throws BadReference {
        JsonNode at = bodies.get(refId);
        String invalid = "Invalid reference specified. No value for " + refId + "." + path + " found in " + refId
                + ". Provided referenceId ('" + refId + "') is not valid.";
        if (at == null || failed.contains(refId)) {
            throw new BadReference(invalid);
        }
        for (String part : path.split("\\.")) {
            Matcher idx = Pattern.compile("([^\\[]*)((?:\\[\\d+])*)").matcher(part);
            if (!idx.matches()) {
                throw new BadReference(invalid);
            }
            if (!idx.group(1).isEmpty()) {
                at = at.path(idx.group(1));
            }
            Matcher i = Pattern.compile("\\[(\\d+)]").matcher(idx.group(2));
            while (i.find()) {
                at = at.path(Integer.parseInt(i.group(1)));
            }
        }
        if (at.isMissingNode() || at.isNull()) {
            throw new BadReference(invalid);
        }
        return at;
    }

    private static String joined(JsonNode array) {
        if (!array.isArray()) {
            return null;
        }
        List<String> parts = new ArrayList<>();
        array.forEach(n -> parts.add(n.asText()));
        return String.join(",", parts);
    }

    private static JsonNode parseJson(Request req) {
        if (req.body().length == 0) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "The request body is empty.");
        }
        try {
            JsonNode node = SfJson.MAPPER.readTree(req.body());
            if (node == null || node.isMissingNode()) {
                throw new ApiException(400, "JSON_PARSER_ERROR", "The request body is empty.");
            }
            return node;
        } catch (JsonProcessingException e) {
            throw new ApiException(400, "JSON_PARSER_ERROR", e.getOriginalMessage());
        } catch (IOException e) {
            throw new ApiException(400, "JSON_PARSER_ERROR", "Cannot read the request body.");
        }
    }

    private Reply retrieveMany(String version, ObjectType type, String idsParam, String fieldsParam) {
        if (idsParam == null || idsParam.isBlank()) {
            throw new ApiException(400, "MISSING_ARGUMENT", "Missing required parameter: ids");
        }
        if (fieldsParam == null || fieldsParam.isBlank()) {
            throw new ApiException(400, "MISSING_ARGUMENT", "Missing required parameter: fields");
        }
        ObjectSchema schema = crm.describe(type).orElseThrow(ApiException::notFound);
        List<QueryEngine.Column> columns = columns(schema, fieldsParam, type);
        List<CrmId> wanted = new ArrayList<>();
        for (String raw : idsParam.split(",")) {
            String t = raw.trim();
            try {
                wanted.add(CrmId.of(t));
            } catch (IllegalArgumentException e) {
                throw new ApiException(400, "MALFORMED_ID", "malformed id " + t);
            }
        }
        if (wanted.size() > MAX_RETRIEVE_IDS) {
            throw new ApiException(400, "EXCEEDED_ID_LIMIT", "Too many ids: at most " + MAX_RETRIEVE_IDS);
        }
        Map<CrmId, SyncRecord> found = new java.util.HashMap<>();
        int chunk = Math.max(1, crm.maxPageSize());
        Set<String> read = readSet(schema, columns);
        List<CrmId> distinct = wanted.stream().distinct().toList();
        for (int i = 0; i < distinct.size(); i += chunk) {
            for (SyncRecord r : crm.fetch(type, distinct.subList(i, Math.min(distinct.size(), i + chunk)), read)) {
                if (!r.deleted()) {
                    found.put(r.id(), r);
                }
            }
        }
        ArrayNode out = SfJson.array();
        for (CrmId id : wanted) {
            SyncRecord r = found.get(id);
            if (r == null) {
                out.addNull();
            } else {
                out.add(SfJson.record(type, r, columns, version));
            }
        }
        return Reply.json(200, out);
    }

    // ================================================================ Bulk API 2.0 query

    private Reply bulk(Request req, String version, List<String> s) {
        String method = req.method();
        int n = s.size();
        if (n == 2) {
            if (method.equals("POST")) {
                return createJob(req, version);
            }
            expireJobs();
            if (method.equals("GET")) {
                ObjectNode o = SfJson.object();
                o.put("done", true);
                ArrayNode records = o.putArray("records");
                synchronized (jobs) {
                    jobs.values().forEach(j -> records.add(j.info(false)));
                }
                o.putNull("nextRecordsUrl");
                return Reply.json(200, o);
            }
            return methodNotAllowed(req, "GET, POST");
        }
        expireJobs();
        BulkJob job = jobs.get(s.get(2));
        if (job == null) {
            throw ApiException.notFound();
        }
        Instant now = settings.clock().instant();
        if (n == 3) {
            switch (method) {
                case "GET":
                    job.advance(now, conditions.bulkNeverComplete(), conditions.bulkFailure(),
                            () -> engine.snapshot(job.query(), job.operation().equals("queryAll")));
                    return Reply.json(200, job.info(true));
                case "PATCH":
                    JsonNode body = parseJson(req);
                    if (!"Aborted".equals(body.path("state").asText())) {
                        throw new ApiException(400, "INVALIDJOB", "Only the state Aborted can be set on a query job");
                    }
                    if (!job.abort(now)) {
                        throw new ApiException(400, "INVALIDJOB", "Job " + job.id() + " is already "
                                + job.state() + " and cannot be aborted");
                    }
                    return Reply.json(200, job.info(false));
                case "DELETE":
                    if (!job.state().isFinal()) {
                        throw new ApiException(400, "INVALIDJOB", "Job " + job.id() + " is " + job.state()
                                + "; abort it before deleting it");
                    }
                    jobs.remove(job.id());
                    return Reply.empty(204);
                default:
                    return methodNotAllowed(req, "GET, PATCH, DELETE");
            }
        }
        if (n == 4 && s.get(3).equals("results")) {
            if (!method.equals("GET")) {
                return methodNotAllowed(req, "GET");
            }
            return results(req, version, job);
        }
        throw ApiException.notFound();
    }

    private Reply createJob(Request req, String version) {
        JsonNode body = parseJson(req);
        String operation = body.path("operation").asText("");
        if (!operation.equals("query") && !operation.equals("queryAll")) {
            throw new ApiException(400, "INVALIDJOB", "Invalid operation: '" + operation
                    + "'. Query jobs support the operations query and queryAll");
        }
        String q = body.path("query").asText("");
        if (q.isBlank()) {
            throw new ApiException(400, "INVALIDJOB", "A query is required");
        }
        String contentType = body.path("contentType").asText("CSV");
        if (!contentType.equals("CSV")) {
            throw new ApiException(400, "INVALIDJOB", "Invalid contentType: " + contentType);
        }
        String delimiter = body.path("columnDelimiter").asText("COMMA");
        if (!BulkCsv.DELIMITERS.containsKey(delimiter)) {
            throw new ApiException(400, "INVALIDJOB", "Invalid columnDelimiter: " + delimiter);
        }
        String lineEnding = body.path("lineEnding").asText("LF");
        if (!lineEnding.equals("LF") && !lineEnding.equals("CRLF")) {
            throw new ApiException(400, "INVALIDJOB", "Invalid lineEnding: " + lineEnding);
        }
        QueryEngine.Prepared p = prepare(q);
        if (conditions.isBulkUnsupported(p.type())) {
            throw new ApiException(400, "INVALIDENTITY", "Entity '" + p.type().apiName()
                    + "' is not supported by the Bulk API.");
        }
        if (p.kind() != QueryEngine.Kind.RECORDS) {
            throw new ApiException(400, "INVALIDJOB", "Aggregate queries are not supported by Bulk API 2.0");
        }
        if (!p.children().isEmpty()) {
            throw new ApiException(400, "INVALIDJOB", "Nested queries are not supported by Bulk API 2.0");
        }
        if (p.columns().stream().anyMatch(c -> c.type().isUnsyncable())) {
            throw new ApiException(400, "INVALIDJOB", "Selecting compound data not supported in Bulk Query");
        }
        BulkJob job = new BulkJob(ids.next("750"), operation, p, version, settings.clock().instant(), userId,
                delimiter, lineEnding);
        synchronized (jobs) {
            long open = jobs.values().stream().filter(j -> !j.state().isFinal()).count();
            if (open >= settings.maxOpenBulkJobs()) {
                throw new ApiException(400, "LIMIT_EXCEEDED", "Max number of concurrent Bulk API 2.0 query jobs ("
                        + settings.maxOpenBulkJobs() + ") exceeded: wait for a job to finish, or abort one");
            }
            jobs.put(job.id(), job);
        }
        jobsCreated.incrementAndGet();
        return Reply.json(200, job.info(false));
    }

    private Reply results(Request req, String version, BulkJob job) {
        if (!job.apiVersion().equals(version)) {
            throw new ApiException(409, "INVALIDJOB", "Job " + job.id() + " was created with API version "
                    + job.apiVersion() + "; request its results with the same version");
        }
        BulkJob.State state = job.state();
        if (state == BulkJob.State.Failed || state == BulkJob.State.Aborted) {
            throw new ApiException(400, "INVALIDJOB", "Job " + job.id() + " is " + state + " and has no results");
        }
        if (state != BulkJob.State.JobComplete) {
            throw new ApiException(412, "JOB_NOT_COMPLETE", "Job " + job.id() + " is not complete: " + state);
        }
        Snapshot snapshot = job.snapshot();
        int from = 0;
        String locator = req.param("locator");
        if (locator != null && !locator.isEmpty()) {
            try {
                from = Integer.parseInt(new String(Base64.getDecoder().decode(locator), StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                from = -1;
            }
            if (from < 0 || from > snapshot.size()) {
                throw new ApiException(400, "INVALID_LOCATOR", "Invalid locator: " + locator);
            }
        }
        int max = settings.bulkResultsChunkSize();
        String maxRaw = req.param("maxRecords");
        if (maxRaw != null) {
            try {
                max = Integer.parseInt(maxRaw);
            } catch (NumberFormatException e) {
                max = 0;
            }
            if (max < 1) {
                throw new ApiException(400, "INVALIDJOB", "maxRecords must be a positive integer: " + maxRaw);
            }
        }
        // the chunk ends after maxRecords rows, or once its CSV has reached the size limit (a real
        // org's "still subject to the size limits"), whichever comes first; at least one row
        long sizeLimit = settings.bulkResultsChunkChars();
        int last = (int) Math.min(snapshot.size(), (long) from + max);
        BulkCsv.Writer csv = new BulkCsv.Writer(job.query().columns(), job.columnDelimiter(), job.lineEnding());
        int page = engine.rereadPageSize();
        int end = from;
        while (end < last && (end == from || csv.length() < sizeLimit)) {
            int to = Math.min(last, end + page);
            Map<CrmId, SyncRecord> read = engine.reread(job.query(), snapshot.ids(end, to));
            int held = bulkRowsHeld.addAndGet(read.size());
            bulkRowsHeldPeak.accumulateAndGet(held, Math::max);
            try {
                while (end < to && (end == from || csv.length() < sizeLimit)) {
                    SyncRecord r = read.get(snapshot.id(end));
                    // a row is emitted as it was when the job completed; one changed (or purged) since
                    // is left out of its chunk: its new version is the next change read's
                    if (r != null && r.modstamp().equals(snapshot.stamp(end))) {
                        csv.row(r);
                    }
                    end++;
                }
            } finally {
                bulkRowsHeld.addAndGet(-read.size());
            }
        }
        String next = end < snapshot.size()
                ? Base64.getEncoder().withoutPadding().encodeToString(Integer.toString(end).getBytes(StandardCharsets.UTF_8))
                : "null";
        return new Reply(200, "text/csv", csv.bytes())
                .header("Sforce-Locator", next)
                .header("Sforce-NumberOfRecords", Integer.toString(csv.rows()));
    }
}
