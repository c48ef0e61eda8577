package dev.crmsync.testkit.salesforce;

import dev.crmsync.model.Sleeper;
import dev.crmsync.testkit.fault.CallLog;
import com.sun.net.httpserver.HttpServer;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.testkit.salesforce.internal.SalesforceApi;
import dev.crmsync.testkit.salesforce.internal.Settings;
import dev.crmsync.testkit.salesforce.internal.TokenService;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A local fake Salesforce: a real HTTP server on a loopback port that speaks Salesforce's REST,
 * Bulk API 2.0 and OAuth 2.0 wire format (paths, JSON shapes, headers, error bodies), backed by a
 * {@link CrmSource} — normally an {@code InMemoryCrm} — so a test can arrange data in the CRM,
 * point a Salesforce client at {@link #baseUri()}, and assert on both the data and the requests.
 *
 * <h2>Start it in one line</h2>
 * <pre>{@code
 * try (InMemoryCrm crm = InMemoryCrm.builder().build();
 *      FakeSalesforceServer sf = FakeSalesforceServer.start(crm)) {
 *     // login URL and instance URL: sf.baseUri(); a token the server accepts without OAuth:
 *     // FakeSalesforceServer.DEFAULT_ACCESS_TOKEN; a connected app for client credentials:
 *     // DEFAULT_CLIENT_ID / DEFAULT_CLIENT_SECRET
 * }
 * }</pre>
 * Or configure it: {@code FakeSalesforceServer.builder().crm(crm).clock(clock).dailyApiLimit(1000)
 * .jwtSubject("key", "user@example.com", publicKey).build().start()}.
 *
 * <h2>Endpoints</h2>
 * {@code POST /services/oauth2/token} (JWT bearer, client credentials, refresh token; not password),
 * {@code GET /services/data/} (versions: v31.0 up to the configured one; older → 410, newer → 404),
 * and under {@code /services/data/vXX.X}: {@code sobjects} (global describe), {@code sobjects/T}
 * {@code /describe} (with {@code If-Modified-Since} → 304), {@code /updated/}, {@code /deleted/};
 * single records: {@code POST sobjects/T} (201 {@code {id, success, errors}}), {@code GET sobjects/T/id}
 * ({@code ?fields=}), {@code PATCH} and {@code DELETE sobjects/T/id} (204; 404 {@code NOT_FOUND} for an
 * id no record has, 404 {@code ENTITY_IS_DELETED} for one in the recycle bin), checked as strictly as
 * a collections record; {@code query} and {@code queryAll} with {@code Sforce-Query-Options: batchSize}
 * and {@code nextRecordsUrl} paging; {@code composite} (up to 25 subrequests with {@code @{ref.path}}
 * references; {@code allOrNone} rolls back and answers the others {@code PROCESSING_HALTED});
 * {@code composite/sobjects} (POST create, PATCH update, DELETE {@code ?ids=&allOrNone=}),
 * {@code composite/sobjects/T/Field} (PATCH upsert by an external-id field, each result with
 * {@code created}; a field describe does not mark {@code externalId} is 404 {@code NOT_FOUND}),
 * {@code sobjects/T/Field/value} (single upsert: 201 created, 200 updated, 300 with the records'
 * URLs when several match) and
 * {@code composite/sobjects/T?ids=&fields=}; {@code jobs/query} (Bulk 2.0 query jobs with CSV
 * results by locator, each chunk rendered when asked for from a snapshot of the job's row ids: a
 * chunk ends after {@code maxRecords} rows or at {@link Builder#bulkResultsChunkChars(long) the size
 * limit}; jobs expire after {@link Builder#bulkJobRetention(Duration) their retention}); {@code limits}. Every call under a version needs a valid access token and
 * counts against the daily limit; every response to one carries {@code Sforce-Limit-Info}.
 *
 * <h2>SOQL</h2>
 * {@code SELECT f, Parent.f, (SELECT f FROM ChildRelationship ...), ... | COUNT() | COUNT(f), SUM(f), MIN(f),
 * MAX(f), AVG(f), COUNT_DISTINCT(f) FROM T [WHERE cond] [GROUP BY f, ...] [ORDER BY f [ASC|DESC] [NULLS
 * FIRST|LAST], ...] [LIMIT n] [OFFSET n]}; parent paths go up to five relationships deep and come as
 * nested objects with {@code attributes}; relative date literals ({@code TODAY}, {@code LAST_N_DAYS:n},
 * {@code THIS_MONTH}, ...) are days on the server's clock in UTC; conditions combine comparisons ({@code = != <> < <= > >=}),
 * {@code [NOT] IN (...)} and {@code LIKE} with {@code AND}, {@code OR}, {@code NOT} and
 * parentheses ({@code AND} and {@code OR} cannot meet at one level without parentheses, as in
 * Salesforce). Literals: quoted strings with SOQL escapes, numbers, {@code true/false/null},
 * unquoted dates and date-times. Unknown names give 400 {@code INVALID_FIELD}/{@code INVALID_TYPE},
 * syntax errors 400 {@code MALFORMED_QUERY}. Text comparisons are case-insensitive.
 *
 * <h2>Threads and time</h2>
 * Requests are served concurrently on threads of an executor the server creates and shuts down
 * on {@link #close()}. Time comes from the injected {@link Clock}; injected delays go through the
 * injectable {@link Sleeper}, so tests never need to sleep. The server is thread-safe.
 *
 * <p><b>Latency.</b> Run the test JVM with {@code -D}{@value #NODELAY_PROPERTY}{@code =true} (crmsync's
 * own build sets it for every test JVM; with Surefire, a {@code systemPropertyVariables} entry): the
 * JDK's built-in server writes headers and body separately, and without {@code TCP_NODELAY} every
 * response waits ~40 ms for a delayed ACK. The server never sets the property itself: a test kit
 * must not change JVM-wide settings behind its user's back.
 */
public final class FakeSalesforceServer implements AutoCloseable {

    /** The API version served by default (the newest one; v31.0 and later are served). */
    public static final String DEFAULT_API_VERSION = "62.0";
    /** The connected app's client id accepted by default (client credentials and refresh flows). */
    public static final String DEFAULT_CLIENT_ID = "fake-client-id";
    /** The connected app's client secret accepted by default. */
    public static final String DEFAULT_CLIENT_SECRET = "fake-client-secret";
    /** The access token accepted without OAuth by default. */
    public static final String DEFAULT_ACCESS_TOKEN = "fake-access-token";
    /** The daily API request limit by default. */
    public static final long DEFAULT_DAILY_API_LIMIT = 15_000;
    /**
     * Rows per Bulk results chunk when the client passes no {@code maxRecords}, by default: no row
     * count, as a real org sets none ("the server uses a default value based on the service"; older
     * guides: "as many rows as can be listed") — the chunk ends at {@link #DEFAULT_BULK_RESULTS_CHUNK_CHARS}.
     */
    public static final int DEFAULT_BULK_RESULTS_CHUNK_SIZE = Integer.MAX_VALUE;
    /**
     * The size limit of one Bulk results chunk by default, in CSV characters (10 MB of ASCII): a
     * chunk ends with the row that reaches it, with or without {@code maxRecords} (a real org's
     * "the request is still subject to the size limits"; the real limit is not documented).
     */
    public static final long DEFAULT_BULK_RESULTS_CHUNK_CHARS = 10_000_000L;
    /** How long a Bulk query job and its results are kept after its creation by default: a real org's 7 days. */
    public static final Duration DEFAULT_BULK_JOB_RETENTION = Duration.ofDays(7);
    /**
     * How many Bulk query jobs may be unfinished at once by default: 10,000, a real org's daily
     * query-job allocation ({@code DailyBulkV2QueryJobs}); one more is refused with 400
     * {@code LIMIT_EXCEEDED}.
     */
    public static final int DEFAULT_MAX_OPEN_BULK_JOBS = 10_000;
    /** How many query cursors ({@code nextRecordsUrl} locators) stay open at once by default. */
    public static final int DEFAULT_QUERY_CURSOR_CAPACITY = 1_000;

    /** The JDK property that turns on {@code TCP_NODELAY} for {@code com.sun.net.httpserver} sockets. */
    public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private static final Pattern VERSION = Pattern.compile("(\\d+)\\.0");



    private final Settings settings;
    private final Object lifecycle = new Object();
    private HttpServer http;
    private ExecutorService executor;
    private SalesforceApi api;
    private Faults faults;
    private URI baseUri;
    private boolean closed;

    private FakeSalesforceServer(Settings settings) {
        this.settings = settings;
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Starts a server with the defaults over a CRM: the fixed token
     * {@link #DEFAULT_ACCESS_TOKEN}, the connected app {@link #DEFAULT_CLIENT_ID} /
     * {@link #DEFAULT_CLIENT_SECRET}, API version {@link #DEFAULT_API_VERSION}, the system clock.
     *
     * @param crm the backing CRM (typically an {@code InMemoryCrm})
     * @return the running server; close it when done
     */
    public static FakeSalesforceServer start(CrmSource crm) {
        return builder().crm(crm).build().start();
    }

    /**
     * Binds {@code 127.0.0.1} on the configured port (an ephemeral one by default) and starts
     * serving. Calling it again on a running server does nothing.
     *
     * @return this server
     * @throws IllegalStateException if the server was closed
     * @throws UncheckedIOException if the port cannot be bound
     */
    public FakeSalesforceServer start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException("the fake Salesforce server was closed; build a new one");
            }
            if (http != null) {
                return this;
            }
            try {
                HttpServer server = HttpServer.create(
                        new InetSocketAddress(InetAddress.getLoopbackAddress(), settings.port()), 64);
                URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
                SalesforceApi handler = new SalesforceApi(settings, uri);
                server.createContext("/", handler);
                ExecutorService pool = Executors.newCachedThreadPool(threads(server.getAddress().getPort()));
                server.setExecutor(pool);
                server.start();
                this.http = server;
                this.executor = pool;
                this.api = handler;
                this.faults = new Faults(handler);
                this.baseUri = uri;
            } catch (IOException e) {
                throw new UncheckedIOException("cannot bind the fake Salesforce server on port " + settings.port(), e);
            }
            return this;
        }
    }

    private static ThreadFactory threads(int port) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "fake-salesforce-" + port + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private SalesforceApi running() {
        synchronized (lifecycle) {
            if (api == null) {
                throw new IllegalStateException("the fake Salesforce server is not started; call start()");
            }
            return api;
        }
    }

    /**
     * @return {@code http://127.0.0.1:<port>}: both the login URL (token endpoint at
     *     {@code /services/oauth2/token}) and the {@code instance_url} the token response names
     * @throws IllegalStateException if not started
     */
    public URI baseUri() {
        running();
        return baseUri;
    }

    /** @return the newest API version served, e.g. {@code "62.0"} */
    public String apiVersion() {
        return settings.latestVersion() + ".0";
    }

    /**
     * @return the id of the user the server's tokens log in ({@code 005…}, the token response's
     *     {@code id} URL): the {@code CreatedById}, {@code LastModifiedById} and custom objects'
     *     {@code OwnerId} the server answers where the CRM holds none
     * @throws IllegalStateException if not started
     */
    public String integrationUserId() {
        return running().userId();
    }

    /**
     * @return the org's id ({@code 00D…}, in the token response's {@code id} URL): what a Pub/Sub client sends
     *     as its {@code tenantid}
     * @throws IllegalStateException if not started
     */
    public String orgId() {
        return running().orgId();
    }

    /**
     * Whether an access token is one this server issued and has not expired or revoked — the check every REST
     * call makes, for another API of the same fake org (the fake Pub/Sub server) to authenticate with. Counts
     * towards an expiry scheduled with {@link Faults}, as a REST call does.
     *
     * @param accessToken a token, or null
     * @return whether the server accepts it
     * @throws IllegalStateException if not started
     */
    public boolean acceptsAccessToken(@Nullable String accessToken) {
        return accessToken != null && !accessToken.isBlank() && running().tokens().authenticate("Bearer " + accessToken);
    }

    /** @return the CRM the server serves */
    public CrmSource crm() {
        return settings.crm();
    }

    /** @return the clock the server's stamps and token expiry use */
    public java.time.Clock clock() {
        return settings.clock();
    }

    /** @return the faults that can be scheduled on this server */
    public Faults faults() {
        running();
        return faults;
    }

    /**
     * @return every request received so far, in order of completion (secrets redacted; see
     *     {@link RecordedRequest})
     */
    public List<RecordedRequest> requests() {
        return running().recorded();
    }

    /** Forgets the requests recorded so far (counters such as the API usage are not affected). */
    public void clearRequests() {
        running().clearRecorded();
    }

    /**
     * Counts recorded requests.
     *
     * @param method an HTTP method (any case), or null for any
     * @param pathRegex a regular expression found in the path ({@link java.util.regex.Matcher#find()})
     * @return how many recorded requests match
     */
    public long requestCount(@Nullable String method, String pathRegex) {
        Pattern p = Pattern.compile(Objects.requireNonNull(pathRegex, "pathRegex"));
        return requests().stream()
                .filter(r -> method == null || r.method().equalsIgnoreCase(method))
                .filter(r -> p.matcher(r.path()).find())
                .count();
    }

    /**
     * The requests counted by endpoint — the path without the {@code /services/data/vNN.N} prefix
     * ({@code /query}, {@code /sobjects/Lead/describe}, ids included), or the whole path outside the
     * versioned API ({@code /services/oauth2/token}) — in the test kits' one {@link CallLog} type.
     * {@link #requests()} keeps each request in full (headers, body, status) for HTTP assertions.
     *
     * @return the endpoint counts (with recording, the calls in order of completion)
     */
    public CallLog<String> log() {
        return running().log();
    }

    /** @return Bulk query jobs not in JobComplete, Failed or Aborted */
    public int openBulkJobs() {
        return running().openBulkJobs();
    }

    /**
     * @return the most Bulk result rows the server has held read at once since it started (a
     *     probe for the memory test: chunks are rendered from records read a page at a time)
     */
    int bulkRowsHeldPeak() {
        return running().bulkRowsHeldPeak();
    }

    /**
     * @return the records the open REST query cursors hold (a probe for the memory test: a cursor of a
     *     records query holds its rows' ids, and reads each page again)
     */
    long queryCursorRecordsHeld() {
        return running().cursors().heldRecords();
    }

    /**
     * @return every Bulk query job the server still keeps (a job is kept until it is deleted, or
     *     until its retention has passed since its creation by the server's clock, seven days by
     *     default), by id in order of creation, with its
     *     state ({@code UploadComplete}, {@code InProgress}, {@code JobComplete}, {@code Failed},
     *     {@code Aborted})
     */
    public Map<String, String> bulkJobStates() {
        return running().bulkJobStates();
    }

    /** @return API calls counted in the current daily window */
    public long apiCallsUsed() {
        return running().usage().snapshot().used();
    }

    /** Stops serving and shuts down the server's threads. Idempotent; may be called from any thread. */
    @Override
    public void close() {
        HttpServer server;
        ExecutorService pool;
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            server = http;
            pool = executor;
        }
        if (server != null) {
            server.stop(0);
        }
        if (pool != null) {
            pool.shutdownNow();
            try {
                pool.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        synchronized (lifecycle) {
            return "FakeSalesforceServer[" + (baseUri == null ? "not started" : baseUri) + (closed ? ", closed" : "")
                    + ", v" + apiVersion() + "]";
        }
    }

    /** Builds a {@link FakeSalesforceServer}. Every setter validates its argument at once. */
    public static final class Builder {
        private CrmSource crm;
        private Clock clock = Clock.systemUTC();
        private long seed = 0L;
        private int latestVersion = 62;
        private long dailyApiLimit = DEFAULT_DAILY_API_LIMIT;
        private String perAppName;
        private long perAppLimit;
        private final Map<String, String> apps = new LinkedHashMap<>();
        private boolean defaultApp = true;
        private final List<TokenService.JwtSubject> jwtSubjects = new ArrayList<>();
        /** Refresh token to the client id it was issued to (null: the one connected app, at build). */
        private final Map<String, String> refreshTokens = new LinkedHashMap<>();
        private boolean rotateRefreshTokens;
        private String fixedAccessToken = DEFAULT_ACCESS_TOKEN;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private int bulkResultsChunkSize = DEFAULT_BULK_RESULTS_CHUNK_SIZE;
        private long bulkResultsChunkChars = DEFAULT_BULK_RESULTS_CHUNK_CHARS;
        private Duration bulkJobRetention = DEFAULT_BULK_JOB_RETENTION;
        private int maxOpenBulkJobs = DEFAULT_MAX_OPEN_BULK_JOBS;
        private int queryCursorCapacity = DEFAULT_QUERY_CURSOR_CAPACITY;
        private int port;
        private BiConsumer<ObjectType, CrmId> undoCreate;
        private BiConsumer<ObjectType, CrmId> deleter;
        private BiConsumer<ObjectType, CrmId> undeleter;

        private Builder() {
        }

        /**
         * @param crm the CRM whose data the server serves and writes to (required); typically an
         *     {@code InMemoryCrm}. Calls through the server are calls on its {@link CrmSource} methods.
         * @return this builder
         */
        public Builder crm(CrmSource crm) {
            this.crm = Objects.requireNonNull(crm, "crm");
            return this;
        }

        /**
         * @param clock gives {@code issued_at}, JWT expiry checks, the daily limit window, job dates,
         *     getUpdated/getDeleted windows (default: the system UTC clock)
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * @param seed seeds generated tokens and random faults (default 0)
         * @return this builder
         */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /**
         * @param version the newest API version served, {@code "NN.0"} with NN ≥ 31
         *     (default {@value FakeSalesforceServer#DEFAULT_API_VERSION}); versions from 31.0 up to it are served
         * @return this builder
         */
        public Builder apiVersion(String version) {
            Objects.requireNonNull(version, "version");
            var m = VERSION.matcher(version.startsWith("v") ? version.substring(1) : version);
            if (!m.matches() || Integer.parseInt(m.group(1)) < SalesforceApi.MIN_VERSION
                    || Integer.parseInt(m.group(1)) > 999) {
                throw new IllegalArgumentException("apiVersion must look like '62.0' and be at least "
                        + SalesforceApi.MIN_VERSION + ".0, was '" + version + "'");
            }
            this.latestVersion = Integer.parseInt(m.group(1));
            return this;
        }

        /**
         * @param limit the daily API request limit (default {@value FakeSalesforceServer#DEFAULT_DAILY_API_LIMIT})
         * @return this builder
         */
        public Builder dailyApiLimit(long limit) {
            if (limit < 0) {
                throw new IllegalArgumentException("dailyApiLimit must be >= 0, was " + limit);
            }
            this.dailyApiLimit = limit;
            return this;
        }

        /**
         * Adds the per-app form to {@code Sforce-Limit-Info}
         * ({@code api-usage=N/M; per-app-api-usage=n/m(appName=...)}) and to {@code /limits}.
         * The per-app limit is reported, not enforced.
         *
         * @param appName the connected app's name
         * @param limit its daily limit
         * @return this builder
         */
        public Builder perAppApiLimit(String appName, long limit) {
            Objects.requireNonNull(appName, "appName");
            if (appName.isBlank() || limit < 0) {
                throw new IllegalArgumentException("perAppApiLimit needs a name and a limit >= 0, was '" + appName
                        + "', " + limit);
            }
            this.perAppName = appName;
            this.perAppLimit = limit;
            return this;
        }

        /**
         * Registers a connected app for the client-credentials and refresh-token flows. The first
         * call replaces the default app ({@link #DEFAULT_CLIENT_ID}); later calls add apps.
         *
         * @param clientId the consumer key
         * @param clientSecret the consumer secret
         * @return this builder
         */
        public Builder connectedApp(String clientId, String clientSecret) {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(clientSecret, "clientSecret");
            if (clientId.isEmpty() || clientSecret.isEmpty()) {
                throw new IllegalArgumentException("clientId and clientSecret must not be empty");
            }
            if (defaultApp) {
                apps.clear();
                defaultApp = false;
            }
            apps.put(clientId, clientSecret);
            return this;
        }

        /**
         * Lets the JWT bearer flow log a user in: the assertion's {@code iss} must be the consumer
         * key, {@code sub} the username, {@code aud} {@code https://login.salesforce.com},
         * {@code https://test.salesforce.com} or {@link #baseUri()}, {@code exp} in the future by at most
         * five minutes (Salesforce: "within 3 minutes"; a later one is an {@code invalid_grant}), and
         * the RS256 signature must verify with the public key.
         *
         * @param consumerKey the connected app's consumer key
         * @param username the user
         * @param publicKey the RSA public key of the app's certificate
         * @return this builder
         */
        public Builder jwtSubject(String consumerKey, String username, PublicKey publicKey) {
            if (!"RSA".equals(Objects.requireNonNull(publicKey, "publicKey").getAlgorithm())) {
                throw new IllegalArgumentException("publicKey must be an RSA key, was " + publicKey.getAlgorithm());
            }
            jwtSubjects.add(new TokenService.JwtSubject(consumerKey, username, publicKey));
            return this;
        }

        /**
         * A refresh token issued to the server's one connected app (the default app, or the one
         * {@link #connectedApp} registered). As Salesforce does, the refresh flow accepts it only
         * from that app's client id.
         *
         * @param token a refresh token the refresh flow accepts (may be called several times)
         * @return this builder
         * @see #refreshToken(String, String)
         */
        public Builder refreshToken(String token) {
            Objects.requireNonNull(token, "token");
            if (token.isEmpty()) {
                throw new IllegalArgumentException("refresh token must not be empty");
            }
            refreshTokens.put(token, null);
            return this;
        }

        /**
         * A refresh token issued to one connected app: the refresh flow accepts it only with that
         * client id (another app's id gets {@code invalid_grant}, as from Salesforce).
         *
         * @param clientId the consumer key of the app it was issued to (registered with {@link #connectedApp})
         * @param token the refresh token
         * @return this builder
         */
        public Builder refreshToken(String clientId, String token) {
            Objects.requireNonNull(clientId, "clientId");
            Objects.requireNonNull(token, "token");
            if (clientId.isEmpty() || token.isEmpty()) {
                throw new IllegalArgumentException("clientId and refresh token must not be empty");
            }
            refreshTokens.put(token, clientId);
            return this;
        }

        /**
         * @param rotate true to return a new {@code refresh_token} on each refresh and retire the
         *     one used (default false: the response has no refresh token, as usual)
         * @return this builder
         */
        public Builder rotateRefreshTokens(boolean rotate) {
            this.rotateRefreshTokens = rotate;
            return this;
        }

        /**
         * @param token an access token accepted without OAuth, or null for none
         *     (default {@link #DEFAULT_ACCESS_TOKEN}); {@link Faults#expireAccessTokens()} expires it too
         * @return this builder
         */
        public Builder fixedAccessToken(@Nullable String token) {
            if (token != null && token.isEmpty()) {
                throw new IllegalArgumentException("fixed access token must not be empty (use null for none)");
            }
            this.fixedAccessToken = token;
            return this;
        }

        /**
         * @param sleeper performs injected delays (default: {@link Sleeper#SYSTEM})
         * @return this builder
         */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /**
         * @param rows most rows per Bulk results chunk when the client gives no {@code maxRecords}
         *     (default: no row count, {@link FakeSalesforceServer#DEFAULT_BULK_RESULTS_CHUNK_SIZE}; the
         *     size limit {@link #bulkResultsChunkChars(long)} ends a chunk in any case)
         * @return this builder
         */
        public Builder bulkResultsChunkSize(int rows) {
            if (rows < 1) {
                throw new IllegalArgumentException("bulkResultsChunkSize must be >= 1, was " + rows);
            }
            this.bulkResultsChunkSize = rows;
            return this;
        }

        /**
         * @param chars the size limit of one Bulk results chunk in CSV characters, at least 1: a chunk
         *     ends with the row that reaches it, with or without {@code maxRecords} (default
         *     {@value FakeSalesforceServer#DEFAULT_BULK_RESULTS_CHUNK_CHARS})
         * @return this builder
         */
        public Builder bulkResultsChunkChars(long chars) {
            if (chars < 1) {
                throw new IllegalArgumentException("bulkResultsChunkChars must be >= 1, was " + chars);
            }
            this.bulkResultsChunkChars = chars;
            return this;
        }

        /**
         * @param retention how long a Bulk query job and its results are kept after the job's
         *     creation, on the server's clock, whatever its state (a job whose client went away is
         *     deleted all the same), positive (default {@link FakeSalesforceServer#DEFAULT_BULK_JOB_RETENTION})
         * @return this builder
         */
        public Builder bulkJobRetention(Duration retention) {
            Objects.requireNonNull(retention, "retention must not be null");
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("bulkJobRetention must be positive, was " + retention);
            }
            this.bulkJobRetention = retention;
            return this;
        }

        /**
         * @param jobs how many Bulk query jobs may be unfinished ({@code UploadComplete} or
         *     {@code InProgress}) at once, at least 1; creating one more is refused with 400
         *     {@code LIMIT_EXCEEDED} (default {@value FakeSalesforceServer#DEFAULT_MAX_OPEN_BULK_JOBS})
         * @return this builder
         */
        public Builder maxOpenBulkJobs(int jobs) {
            if (jobs < 1) {
                throw new IllegalArgumentException("maxOpenBulkJobs must be >= 1, was " + jobs);
            }
            this.maxOpenBulkJobs = jobs;
            return this;
        }

        /**
         * @param capacity how many query cursors stay open; beyond it the least recently used is
         *     invalidated (default {@value FakeSalesforceServer#DEFAULT_QUERY_CURSOR_CAPACITY})
         * @return this builder
         */
        public Builder queryCursorCapacity(int capacity) {
            if (capacity < 1) {
                throw new IllegalArgumentException("queryCursorCapacity must be >= 1, was " + capacity);
            }
            this.queryCursorCapacity = capacity;
            return this;
        }

        /**
         * @param port the loopback port to bind, 0 for an ephemeral one (default)
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65_535) {
                throw new IllegalArgumentException("port must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        /**
         * @param undo removes a record created by an all-or-none collections request that then
         *     failed (default: {@code InMemoryCrm.delete} when the CRM is an {@link InMemoryCrm},
         *     otherwise none and the created records stay)
         * @return this builder
         */
        public Builder undoCreate(BiConsumer<ObjectType, CrmId> undo) {
            this.undoCreate = undo;
            return this;
        }

        /**
         * How the REST deletes ({@code DELETE /sobjects/T/id}, {@code DELETE /composite/sobjects})
         * reach the CRM, which {@link CrmSource} has no call for.
         *
         * @param delete moves a live record to the recycle bin (default: {@code InMemoryCrm.delete}
         *     when the CRM is an {@link InMemoryCrm}; otherwise none, and deletes are refused with
         *     {@code INSUFFICIENT_ACCESS_OR_READONLY})
         * @param undelete restores a record a rolled-back all-or-none composite request deleted
         *     (default: {@code InMemoryCrm.undelete} when the CRM is an {@link InMemoryCrm})
         * @return this builder
         */
        public Builder deletes(BiConsumer<ObjectType, CrmId> delete, BiConsumer<ObjectType, CrmId> undelete) {
            this.deleter = Objects.requireNonNull(delete, "delete");
            this.undeleter = Objects.requireNonNull(undelete, "undelete");
            return this;
        }

        /**
         * @return the server, not yet started
         * @throws IllegalStateException if no CRM was given
         */
        public FakeSalesforceServer build() {
            if (crm == null) {
                throw new IllegalStateException("a CRM is required: builder().crm(crm)");
            }
            Map<String, String> appMap = new LinkedHashMap<>(apps);
            if (defaultApp) {
                appMap.put(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET);
            }
            Map<String, String> tokens = new LinkedHashMap<>();
            refreshTokens.forEach((token, client) -> {
                if (client == null && appMap.size() != 1) {
                    throw new IllegalStateException("refreshToken(token) binds the token to the one connected app, but "
                            + appMap.size() + " are registered: use refreshToken(clientId, token)");
                }
                String to = client == null ? appMap.keySet().iterator().next() : client;
                if (!appMap.containsKey(to)) {
                    throw new IllegalStateException("a refresh token is issued to client id '" + to
                            + "', which no connectedApp registered");
                }
                tokens.put(token, to);
            });
            BiConsumer<ObjectType, CrmId> undo = undoCreate;
            BiConsumer<ObjectType, CrmId> delete = deleter;
            BiConsumer<ObjectType, CrmId> undelete = undeleter;
            if (crm instanceof InMemoryCrm memory) {
                if (undo == null) {
                    undo = memory::delete;
                }
                if (delete == null) {
                    delete = memory::delete;
                    undelete = memory::undelete;
                }
            }
            return new FakeSalesforceServer(new Settings(crm, clock, seed, latestVersion, dailyApiLimit, perAppName,
                    perAppLimit, appMap, jwtSubjects, tokens, rotateRefreshTokens, fixedAccessToken, sleeper,
                    bulkResultsChunkSize, bulkResultsChunkChars, bulkJobRetention, maxOpenBulkJobs,
                    queryCursorCapacity, port, undo, delete, undelete));
        }
    }
}
