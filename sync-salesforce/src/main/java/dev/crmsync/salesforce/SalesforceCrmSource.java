package dev.crmsync.salesforce;

import dev.crmsync.model.Sleeper;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.crmsync.crm.ChangeQuery;
import dev.crmsync.crm.ChangeStream;
import dev.crmsync.crm.CrmSource;
import dev.crmsync.crm.CrmWrite;
import dev.crmsync.crm.CrmWriteResult;
import dev.crmsync.crm.DeletedRecords;
import dev.crmsync.crm.InFlightCalls;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.salesforce.internal.ApiCall;
import dev.crmsync.salesforce.internal.ApiClient;
import dev.crmsync.salesforce.internal.BulkQuota;
import dev.crmsync.salesforce.internal.BulkReader;
import dev.crmsync.salesforce.internal.BulkSettings;
import dev.crmsync.salesforce.internal.CallBudget;
import dev.crmsync.salesforce.internal.CollectionsWriter;
import dev.crmsync.salesforce.internal.Describer;
import dev.crmsync.salesforce.internal.HttpTransport;
import dev.crmsync.salesforce.internal.ObjectInfo;
import dev.crmsync.salesforce.internal.ReadOperations;
import dev.crmsync.salesforce.internal.ReadPlan;
import dev.crmsync.salesforce.internal.Redactor;
import dev.crmsync.salesforce.internal.SalesforceChangeStream;
import dev.crmsync.salesforce.internal.SourceContext;
import dev.crmsync.salesforce.internal.TokenManager;
import dev.crmsync.salesforce.internal.UrlPolicy;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.jspecify.annotations.Nullable;

/**
 * A {@link CrmSource} over the Salesforce REST API and Bulk API 2.0.
 *
 * <pre>{@code
 * SalesforceCrmSource crm = SalesforceCrmSource.builder()
 *     .loginUrl(URI.create("https://mycompany.my.salesforce.com"))
 *     .credentials(SalesforceCredentials.jwtBearer(consumerKey, "integration@mycompany.com", privateKey))
 *     .budget(new ApiBudget(0.25, 0.80))
 *     .build();
 * }</pre>
 *
 * <h2>What it does</h2>
 * <ul>
 *   <li><b>Authentication</b>: OAuth 2.0 JWT bearer, client credentials, refresh token (a rotated
 *       refresh token is handed to the host's callback) or a fixed access token. The
 *       {@code instance_url} of the token response is used for every call. On 401 the token is
 *       renewed once and the call repeated. Only {@code https}, unless
 *       {@link Builder#allowHttpForLoopback(boolean)} allows plain http to a loopback test server.</li>
 *   <li><b>Describe drives everything</b>: {@link #availableTypes()} lists queryable, replicable
 *       objects (standard types crmsync knows and every custom {@code __c} object); {@link #describe}
 *       lists the fields the integration user can see, formula fields marked {@code calculated},
 *       with createable/updateable flags. Describes are re-validated with {@code If-Modified-Since},
 *       so asking each cycle is cheap and schema drift is picked up.</li>
 *   <li><b>Reads</b>: keyset {@code queryAll} on ({@code SystemModstamp}, {@code Id}), so deleted
 *       records and merge losers ({@code IsDeleted}, {@code MasterRecordId}) come too, and lead
 *       conversion fields are always read; {@code nextRecordsUrl} paging with {@code Sforce-Query-Options}
 *       batch size; a timed-out window is split. A read larger than the Bulk threshold (default
 *       10,000 records) goes through a Bulk API 2.0 {@code queryAll} job, sorted locally into the
 *       same order, with a REST fallback. SOQL is built only from describe-validated identifiers with
 *       every literal escaped; a malformed name is refused before any request.</li>
 *   <li><b>Writes</b> (Lead, Contact, Campaign, CampaignMember) through sObject Collections, 200
 *       records a call, {@code allOrNone=false}, one {@link CrmWriteResult} per record.</li>
 *   <li><b>Limits and failures</b>: every {@code Sforce-Limit-Info} is tracked; the host's
 *       {@link ApiBudget} and Salesforce's daily limit end a cycle with a
 *       {@link dev.crmsync.model.QuotaExceededException}; transient failures are retried per
 *       {@link RetrySettings} behind a circuit breaker; every HTTP request is counted by endpoint in
 *       {@link #callCounts()}.</li>
 *   <li><b>Stopping</b>: {@link #wakeup(Thread)} (which {@code SyncEngine.close()} calls once its
 *       close timeout has passed) cancels a blocked request or wakes a Bulk job wait at once.</li>
 * </ul>
 *
 * <p>Thread-safe: several engines may share one source. Streams are single-consumer. No credential,
 * token, key or signature ever appears in a log line, an exception message or {@code toString()}.
 */
public final class SalesforceCrmSource implements CrmSource {

    private static final Logger LOG = LoggerFactory.getLogger(SalesforceCrmSource.class);

    /** The API version the library is built and tested against (Winter '25). */
    public static final String DEFAULT_API_VERSION = "62.0";
    /** The oldest API version accepted: Bulk API 2.0 query jobs need 47.0. */
    public static final String MIN_API_VERSION = "47.0";
    /** Salesforce's production login host. */
    public static final URI DEFAULT_LOGIN_URL = URI.create("https://login.salesforce.com");
    /** Records per REST page, the most Salesforce allows. */
    public static final int DEFAULT_PAGE_SIZE = 2_000;
    /** The smallest REST batch Salesforce accepts. */
    public static final int MIN_PAGE_SIZE = 200;
    /** Records per sObject Collections call. */
    public static final int MAX_WRITE_BATCH = CollectionsWriter.MAX_BATCH;
    /** Reads larger than this many records go through Bulk API 2.0. */
    public static final long DEFAULT_BULK_THRESHOLD = 10_000;
    /** TCP connect timeout. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Longest silence while reading a response (SOQL over large tables can be slow). */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(120);
    /** Connections in the pool. */
    public static final int DEFAULT_MAX_CONNECTIONS = 4;
    /** First wait before polling a Bulk job. */
    public static final Duration DEFAULT_BULK_POLL_INITIAL = Duration.ofSeconds(1);
    /** Longest wait between Bulk job polls. */
    public static final Duration DEFAULT_BULK_POLL_MAX = Duration.ofSeconds(30);
    /** How long a Bulk job may run before it is aborted and the read falls back to REST. */
    public static final Duration DEFAULT_BULK_JOB_TIMEOUT = Duration.ofMinutes(30);
    /** {@code maxRecords} per Bulk results request. */
    public static final int DEFAULT_BULK_MAX_RECORDS_PER_RESULT = 10_000;
    /** Bulk rows sorted in memory before spilling a run to a temporary file. */
    public static final int DEFAULT_BULK_SORT_BUFFER = 50_000;
    /**
     * Estimated heap bytes of the Bulk rows sorted in memory before a run spills (8 MiB), whichever
     * of this and {@link #DEFAULT_BULK_SORT_BUFFER} comes first: wide rows spill sooner.
     */
    public static final long DEFAULT_BULK_SORT_BUFFER_BYTES = 8L << 20;
    /** Times in a row a timed-out query window is halved before the read fails. */
    public static final int DEFAULT_MAX_QUERY_TIMEOUT_SPLITS = 4;
    /** How far back Salesforce's delete log reaches. */
    public static final Duration DEFAULT_DELETE_LOG_RETENTION = Duration.ofDays(15);
    /**
     * The shortest time between two reads of {@code /limits} for the daily Bulk API 2.0 query quotas
     * (which {@code Sforce-Limit-Info} does not carry); read at most once per cycle besides.
     */
    public static final Duration DEFAULT_LIMITS_REFRESH_INTERVAL = Duration.ofMinutes(10);

    private static final Pattern VERSION = Pattern.compile("(\\d{2,3})\\.0");

    private final String description;
    private final HttpTransport transport;
    private final ApiClient api;
    private final CallBudget budget;
    private final SourceContext ctx;
    private final CollectionsWriter writer;
    private final ReadOperations reads;
    private final int pageSize;
    private final Duration maxWriteDuration;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final InFlightCalls inFlight = new InFlightCalls("Salesforce");
    private final Set<ObjectType> describedThisCycle = new java.util.HashSet<>();
    /** set by the first {@link #beginCycle()}: from then on a second describe of a type is just a describe */
    private boolean hostBeginsCycles;
    private final BulkQuota bulkQuota;

    private SalesforceCrmSource(Builder b, URI loginUrl, UrlPolicy policy) {
        ObjectMapper json = new ObjectMapper()
                .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        Redactor redactor = new Redactor();
        this.transport = new HttpTransport(b.connectTimeout, b.socketTimeout, b.maxConnections, inFlight);
        this.budget = new CallBudget(b.budget);
        this.api = new ApiClient(transport, json, b.apiVersion, b.retry, b.sleeper, b.random, b.clock, redactor, budget,
                inFlight);
        api.setTokens(new TokenManager(b.credentials, loginUrl, policy, b.clock, json, redactor, api::postToken));
        Describer describer = new Describer(api, json, b.clock);
        BulkSettings bulk = new BulkSettings(b.bulkThreshold, b.bulkPollInitial, b.bulkPollMax, b.bulkJobTimeout,
                b.bulkMaxRecordsPerResult, b.bulkSortBuffer, b.bulkSortBufferBytes, b.bulkSpillDirectory);
        this.bulkQuota = new BulkQuota(api, b.clock, b.limitsRefreshInterval);
        this.ctx = new SourceContext(api, json, describer, b.clock, bulk, ConcurrentHashMap.newKeySet(),
                ConcurrentHashMap.newKeySet(), b.pageSize, b.maxQueryTimeoutSplits, bulkQuota);
        this.writer = new CollectionsWriter(ctx, b.redirectMergedWrites);
        this.reads = new ReadOperations(ctx, b.deleteLogRetention);
        this.pageSize = b.pageSize;
        this.maxWriteDuration = maxWriteDuration(b.connectTimeout, b.socketTimeout, b.retry);
        String flow = b.credentials.getClass().getSimpleName();
        this.description = "SalesforceCrmSource[" + (b.credentials instanceof SalesforceCredentials.AccessToken a
                ? "instance=" + a.instanceUrl() : "login=" + loginUrl) + ", apiVersion=" + b.apiVersion
                + ", credentials=" + flow + "]";
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Set<ObjectType> availableTypes() {
        ensureOpen();
        return ctx.describer().availableTypes();
    }

    /**
     * {@inheritDoc}
     *
     * <p>Each call re-validates the cached describe with {@code If-Modified-Since} (a 304 costs one
     * small call), so fields added or removed in Salesforce show up at the next describe. Describing
     * a type a second time also starts a new cycle for the {@link ApiBudget} unless the host calls
     * {@link #beginCycle()} itself (the engine does, and may describe a type again within a cycle).
     */
    @Override
    public Optional<ObjectSchema> describe(ObjectType type) {
        Objects.requireNonNull(type, "type");
        ensureOpen();
        synchronized (describedThisCycle) {
            if (!describedThisCycle.add(type) && !hostBeginsCycles) {
                budget.beginCycle();
                bulkQuota.beginCycle();
                describedThisCycle.clear();
                describedThisCycle.add(type);
            }
        }
        return ctx.describer().describe(type).map(ObjectInfo::schema);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Field names that are not well-formed API names are refused with an
     * {@link IllegalArgumentException} before any request; well-formed names describe does not know
     * (hidden or removed fields) are skipped with a warning. The page size is capped at
     * {@link #maxPageSize()}.
     *
     * <p>A {@linkplain ChangeQuery#resumable(String) resumable} read that goes through Bulk API 2.0
     * hands each result chunk out as soon as it is downloaded, with a
     * {@linkplain ChangeStream#resumePoint() resume point} (the job id, the chunk's locator, a hash of
     * the query); opened with that token after a restart, it continues the same job while Salesforce
     * keeps it, instead of starting a new one. A job the read no longer wants (of another query, or
     * abandoned while it runs) is aborted; a complete one is left for Salesforce to delete.
     */
    @Override
    public ChangeStream openChanges(ChangeQuery query) {
        Objects.requireNonNull(query, "query");
        ReadPlan.checkNames(query.fields(), "field of " + query.type());
        ensureOpen();
        ObjectInfo info = ctx.describer().require(query.type());
        ReadPlan plan = ReadPlan.of(info, query.fields());
        int size = Math.min(query.pageSize(), pageSize);
        return new SalesforceChangeStream(ctx, plan, query.fields(), query.after(), size,
                !ctx.bulkUnsupported().contains(query.type()), query.resumable(), query.resumeToken());
    }

    @Override
    public DeletedRecords deletedSince(ObjectType type, Instant start, Instant end) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        if (!start.isBefore(end)) {
            throw new IllegalArgumentException("start " + start + " must be before end " + end);
        }
        ensureOpen();
        return reads.deletedSince(type, start, end);
    }

    @Override
    public List<SyncRecord> fetch(ObjectType type, Collection<CrmId> ids, Set<String> fields) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(fields, "fields");
        if (ids.size() > maxPageSize()) {
            throw new IllegalArgumentException("at most " + maxPageSize() + " ids per fetch, got " + ids.size());
        }
        ReadPlan.checkNames(fields, "field of " + type);
        ensureOpen();
        return reads.fetch(type, ids, fields);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A record setting a field describe does not know is rejected with {@code INVALID_FIELD}, one
     * setting a field describe does not report createable (creates) or updateable (updates) with
     * {@code INVALID_FIELD_FOR_INSERT_UPDATE}; neither is sent. Field names that are not well-formed
     * API names are refused with an {@link IllegalArgumentException} before any request. An update of
     * a converted lead is written to its contact, and (see {@link Builder#redirectMergedWrites}) an
     * update of a merged-away record to its master; the result names the record actually written.
     */
    @Override
    public List<CrmWriteResult> write(ObjectType type, List<? extends CrmWrite> writes) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(writes, "writes");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("writes are only for bidirectional types, not " + type);
        }
        if (writes.size() > maxWriteBatch()) {
            throw new IllegalArgumentException("at most " + maxWriteBatch() + " writes per batch, got " + writes.size());
        }
        ensureOpen();
        return writer.write(type, writes);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code DELETE /composite/sobjects?ids=…&allOrNone=false} (counted as
     * {@code collections.delete}); Salesforce's {@code ENTITY_IS_DELETED} (already in the recycle
     * bin) and {@code INVALID_CROSS_REFERENCE_KEY} (purged) count as deleted.
     */
    @Override
    public List<CrmWriteResult> delete(ObjectType type, List<CrmId> ids) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        if (!type.isBidirectional()) {
            throw new IllegalArgumentException("deletes are only for bidirectional types, not " + type);
        }
        if (ids.size() > maxWriteBatch()) {
            throw new IllegalArgumentException("at most " + maxWriteBatch() + " deletes per batch, got " + ids.size());
        }
        if (new java.util.HashSet<>(ids).size() != ids.size()) {
            throw new IllegalArgumentException("a delete batch holds an id twice");
        }
        ensureOpen();
        return writer.delete(type, ids);
    }

    /** Counting key of a SOAP {@code convertLead} call in {@link #callCounts()}. */
    public static final String SOAP_CONVERT_LEAD = "soap.convertLead";
    /** Counting key of a SOAP {@code merge} call in {@link #callCounts()}. */
    public static final String SOAP_MERGE = "soap.merge";

    /**
     * {@inheritDoc}
     *
     * <p>Over the SOAP API (partner WSDL, {@code POST /services/Soap/u/{version}}, one
     * {@code LeadConvert} a call), through the same client, session, budget and retries as REST
     * calls; counted as {@value #SOAP_CONVERT_LEAD}. Not idempotent: it is not repeated once
     * Salesforce may have processed it. A fault {@code INVALID_SESSION_ID} renews the session once;
     * other faults throw {@link dev.crmsync.model.SyncException}s as REST errors do.
     */
    @Override
    public dev.crmsync.crm.LeadConvertResult convertLead(dev.crmsync.crm.LeadConvert request) {
        Objects.requireNonNull(request, "request");
        ensureOpen();
        ApiCall call = soapCall(SOAP_CONVERT_LEAD);
        return api.sendSoap(call, token -> dev.crmsync.salesforce.internal.SoapCalls.convertLead(token, request),
                r -> dev.crmsync.salesforce.internal.SoapCalls.convertLeadResult(r.body(), request.leadId()));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Over the SOAP API's {@code merge()} (one {@code MergeRequest} a call), as
     * {@link #convertLead} is; counted as {@value #SOAP_MERGE}.
     */
    @Override
    public dev.crmsync.crm.MergeResult mergeRecords(ObjectType type, CrmId masterId, List<CrmId> loserIds) {
        CrmSource.checkMerge(type, masterId, loserIds);
        List<CrmId> losers = List.copyOf(loserIds);
        ensureOpen();
        ApiCall call = soapCall(SOAP_MERGE);
        return api.sendSoap(call, token -> dev.crmsync.salesforce.internal.SoapCalls.merge(token, type, masterId, losers),
                r -> dev.crmsync.salesforce.internal.SoapCalls.mergeResult(r.body(), masterId));
    }

    private ApiCall soapCall(String endpoint) {
        return new ApiCall(endpoint, "POST", dev.crmsync.salesforce.internal.SoapCalls.path(api.apiVersion()),
                Map.of(), Map.of("Accept", "text/xml", "SOAPAction", "\"\""), null, "text/xml; charset=UTF-8", false);
    }

    @Override
    public int maxPageSize() {
        return pageSize;
    }

    @Override
    public int maxWriteBatch() {
        return MAX_WRITE_BATCH;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Derived from this source's settings: every attempt a write may make, each as long as the
     * connect plus the socket timeout, and the longest wait between attempts (the larger of the
     * longest backoff and the longest {@code Retry-After} honoured). With the defaults: 5 × (10 s +
     * 120 s) + 4 × 2 min = 18 min 50 s. A create is never repeated once it may have been sent, but an
     * attempt that surely was not sent is, so its wait counts too.
     */
    @Override
    public Duration maxWriteDuration() {
        return maxWriteDuration;
    }

    static Duration maxWriteDuration(Duration connectTimeout, Duration socketTimeout, RetrySettings retry) {
        int attempts = Math.max(1, retry.maxAttempts());
        Duration wait = retry.maxBackoff().compareTo(retry.maxRetryAfter()) >= 0 ? retry.maxBackoff()
                : retry.maxRetryAfter();
        return connectTimeout.plus(socketTimeout).multipliedBy(attempts).plus(wait.multipliedBy(attempts - 1L));
    }

    /**
     * {@inheritDoc}
     *
     * <p>Keys: {@code oauth.token}, {@code describe.global}, {@code describe}, {@code queryAll},
     * {@code queryMore}, {@code query}, {@code getDeleted}, {@code collections.create},
     * {@code collections.update}, {@code collections.delete}, {@code bulk.create}, {@code bulk.poll},
     * {@code bulk.results}, {@code bulk.abort}, {@code limits}. Every HTTP request counts, retries included.
     */
    @Override
    public Map<String, Long> callCounts() {
        return api.callCounts();
    }

    /**
     * Starts a new cycle for the per-cycle share of the {@link ApiBudget}. {@code SyncEngine} calls
     * it at the start of each cycle; a host driving the source itself should too. Until it is first
     * called, the source takes a second {@link #describe} of the same type as the start of a new cycle.
     */
    @Override
    public void beginCycle() {
        synchronized (describedThisCycle) {
            hostBeginsCycles = true;
            budget.beginCycle();
            bulkQuota.beginCycle();
            describedThisCycle.clear();
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Cancels the HTTP request the thread has in flight ({@code HttpUriRequestBase.cancel()}: the
     * connection is shut, so even a read blocked in the classic client ends) and wakes its wait
     * between retries or Bulk job polls; a Bulk job whose wait was woken is aborted. The call then
     * throws {@link dev.crmsync.model.CallAbortedException}, without a retry and without counting
     * against the circuit breaker. An interrupted thread is honoured too: no request starts on
     * it, and its waits end (the flag stays set).
     */
    @Override
    public void wakeup(Thread caller) {
        Objects.requireNonNull(caller, "caller");
        int n = inFlight.wakeup(caller);
        if (n > 0) {
            LOG.info("woke up {} Salesforce call(s) in flight on thread '{}'", n, caller.getName());
        }
    }

    /** @return the API usage the latest {@code Sforce-Limit-Info} reported, once a call was made */
    public Optional<ApiUsage> apiUsage() {
        return budget.usage();
    }

    /** @return how many Bulk API jobs this source started and has not finished or aborted */
    public int openBulkJobs() {
        return ctx.openJobs().size();
    }

    /**
     * The OAuth session this source calls Salesforce with — for another Salesforce API of the same org (the
     * Pub/Sub API client of {@code sync-salesforce-events}) to authenticate with the same credentials. Obtains a
     * token first if there is none yet.
     *
     * @return the session (its token is a secret: never logged, never in its {@code toString()})
     * @throws dev.crmsync.model.SyncException if the credentials are refused
     */
    public SalesforceSession session() {
        TokenManager.Session s = api.tokens().session();
        return new SalesforceSession(s.accessToken(), s.instanceUrl(), s.orgId());
    }

    /**
     * Renews the session after another API refused it (an expired token), as this source does after an
     * {@code INVALID_SESSION_ID}.
     *
     * @param stale the session that was refused
     * @return the session to use now
     * @throws dev.crmsync.model.SyncException if the credentials cannot be renewed or are refused
     */
    public SalesforceSession renewSession(SalesforceSession stale) {
        Objects.requireNonNull(stale, "stale must not be null");
        TokenManager.Session s = api.tokens().renew(new TokenManager.Session(stale.accessToken(), stale.instanceUrl(),
                stale.orgId()));
        return new SalesforceSession(s.accessToken(), s.instanceUrl(), s.orgId());
    }

    /** Aborts Bulk jobs still running and closes the HTTP client; idempotent, callable from any thread. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        for (String job : List.copyOf(ctx.openJobs())) {
            try {
                BulkReader.abort(ctx, job);
            } catch (RuntimeException e) {
                LOG.warn("could not abort Bulk API job {} while closing: {}", job, e.getMessage());
            }
        }
        transport.close();
    }

    @Override
    public String toString() {
        return description;
    }

    private void ensureOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the Salesforce source is closed");
        }
    }

    /**
     * Builds a {@link SalesforceCrmSource}. Each setter validates its argument at once; {@link #build()}
     * checks that credentials were given and that the URLs may be used. Building makes no request.
     */
    public static final class Builder {
        private @Nullable URI loginUrl;
        private @Nullable URI instanceUrl;
        private @Nullable SalesforceCredentials credentials;
        private String apiVersion = DEFAULT_API_VERSION;
        private boolean allowHttpLoopback;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration socketTimeout = DEFAULT_SOCKET_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private int pageSize = DEFAULT_PAGE_SIZE;
        private long bulkThreshold = DEFAULT_BULK_THRESHOLD;
        private Duration bulkPollInitial = DEFAULT_BULK_POLL_INITIAL;
        private Duration bulkPollMax = DEFAULT_BULK_POLL_MAX;
        private Duration bulkJobTimeout = DEFAULT_BULK_JOB_TIMEOUT;
        private int bulkMaxRecordsPerResult = DEFAULT_BULK_MAX_RECORDS_PER_RESULT;
        private int bulkSortBuffer = DEFAULT_BULK_SORT_BUFFER;
        private long bulkSortBufferBytes = DEFAULT_BULK_SORT_BUFFER_BYTES;
        private Path bulkSpillDirectory;
        private int maxQueryTimeoutSplits = DEFAULT_MAX_QUERY_TIMEOUT_SPLITS;
        private Duration deleteLogRetention = DEFAULT_DELETE_LOG_RETENTION;
        private Duration limitsRefreshInterval = DEFAULT_LIMITS_REFRESH_INTERVAL;
        private RetrySettings retry = RetrySettings.ofDefaults();
        private ApiBudget budget = ApiBudget.DEFAULT;
        private Clock clock = Clock.systemUTC();
        private Sleeper sleeper = Sleeper.SYSTEM;
        private @Nullable Random random;
        private boolean redirectMergedWrites = true;

        private Builder() {
        }

        /**
         * Where the OAuth token endpoint is: {@code https://login.salesforce.com} (default),
         * {@code https://test.salesforce.com} for sandboxes, or the org's My Domain (required for
         * the client-credentials flow).
         *
         * @param url the login URL
         * @return this
         */
        public Builder loginUrl(URI url) {
            this.loginUrl = Objects.requireNonNull(url, "loginUrl");
            return this;
        }

        /**
         * The org's My Domain URL, used as the login URL when none is set. Calls always go to the
         * {@code instance_url} the token endpoint returns (or, for a fixed access token, to the
         * credentials' instance URL).
         *
         * @param url the instance URL
         * @return this
         */
        public Builder instanceUrl(URI url) {
            this.instanceUrl = Objects.requireNonNull(url, "instanceUrl");
            return this;
        }

        /** @param credentials how to authenticate (required) @return this */
        public Builder credentials(SalesforceCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials");
            return this;
        }

        /**
         * @param version the REST API version, e.g. {@code "62.0"} (default {@value SalesforceCrmSource#DEFAULT_API_VERSION},
         *     at least {@value SalesforceCrmSource#MIN_API_VERSION})
         * @return this
         */
        public Builder apiVersion(String version) {
            Objects.requireNonNull(version, "apiVersion");
            String v = version.startsWith("v") ? version.substring(1) : version;
            var m = VERSION.matcher(v);
            if (!m.matches() || Integer.parseInt(m.group(1)) < 47) {
                throw new IllegalArgumentException("apiVersion must look like \"62.0\" and be at least "
                        + MIN_API_VERSION + ", was '" + version + "'");
            }
            this.apiVersion = v;
            return this;
        }

        /**
         * @param allow true to accept plain {@code http} URLs on a loopback host (127.0.0.1, ::1,
         *     localhost): for the fake server in tests. Never for a real org.
         * @return this
         */
        public Builder allowHttpForLoopback(boolean allow) {
            this.allowHttpLoopback = allow;
            return this;
        }

        /** @param timeout TCP connect timeout, positive @return this */
        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = positive(timeout, "connectTimeout");
            return this;
        }

        /** @param timeout longest silence while reading a response, positive @return this */
        public Builder socketTimeout(Duration timeout) {
            this.socketTimeout = positive(timeout, "socketTimeout");
            return this;
        }

        /** @param n pooled connections, at least 1 @return this */
        public Builder maxConnections(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxConnections must be >= 1, was " + n);
            }
            this.maxConnections = n;
            return this;
        }

        /**
         * @param n the largest REST page, {@value SalesforceCrmSource#MIN_PAGE_SIZE}..{@value SalesforceCrmSource#DEFAULT_PAGE_SIZE}
         *     (default the maximum)
         * @return this
         */
        public Builder pageSize(int n) {
            if (n < MIN_PAGE_SIZE || n > DEFAULT_PAGE_SIZE) {
                throw new IllegalArgumentException("pageSize must be between " + MIN_PAGE_SIZE + " and "
                        + DEFAULT_PAGE_SIZE + ", was " + n);
            }
            this.pageSize = n;
            return this;
        }

        /**
         * @param records reads of more records than this go through Bulk API 2.0 (default
         *     {@value SalesforceCrmSource#DEFAULT_BULK_THRESHOLD}; {@link Long#MAX_VALUE} never uses Bulk)
         * @return this
         */
        public Builder bulkThreshold(long records) {
            if (records < 0) {
                throw new IllegalArgumentException("bulkThreshold must be >= 0, was " + records);
            }
            this.bulkThreshold = records;
            return this;
        }

        /**
         * @param initial the first wait before polling a Bulk job
         * @param max the longest wait between polls
         * @return this
         */
        public Builder bulkPollInterval(Duration initial, Duration max) {
            positive(initial, "initial bulk poll interval");
            positive(max, "max bulk poll interval");
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("max bulk poll interval " + max + " is shorter than initial " + initial);
            }
            this.bulkPollInitial = initial;
            this.bulkPollMax = max;
            return this;
        }

        /**
         * @param interval the shortest time between two reads of {@code /limits}, whose daily Bulk API
         *     2.0 query quotas ({@code DailyBulkV2QueryJobs}, {@code DailyBulkV2QueryFileStorageMB})
         *     decide whether a large read may create a Bulk job (when spent, it pages through REST);
         *     read only when a job is about to be created, at most once per cycle (default
         *     {@link SalesforceCrmSource#DEFAULT_LIMITS_REFRESH_INTERVAL}); zero reads it once every cycle
         * @return this
         */
        public Builder limitsRefreshInterval(Duration interval) {
            Objects.requireNonNull(interval, "limitsRefreshInterval");
            if (interval.isNegative()) {
                throw new IllegalArgumentException("limitsRefreshInterval must not be negative, was " + interval);
            }
            this.limitsRefreshInterval = interval;
            return this;
        }

        /** @param timeout how long a Bulk job may run before it is aborted (then REST is used) @return this */
        public Builder bulkJobTimeout(Duration timeout) {
            this.bulkJobTimeout = positive(timeout, "bulkJobTimeout");
            return this;
        }

        /** @param n {@code maxRecords} per Bulk results request, at least 1 @return this */
        public Builder bulkMaxRecordsPerResult(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("bulkMaxRecordsPerResult must be >= 1, was " + n);
            }
            this.bulkMaxRecordsPerResult = n;
            return this;
        }

        /**
         * @param n Bulk rows sorted in memory before a sorted run spills to a temporary file, at least 1
         * @return this
         */
        public Builder bulkSortBufferRecords(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("bulkSortBufferRecords must be >= 1, was " + n);
            }
            this.bulkSortBuffer = n;
            return this;
        }

        /**
         * @param bytes estimated heap bytes of the Bulk rows sorted in memory before a sorted run
         *     spills to a temporary file, at least 64 KiB ({@link #DEFAULT_BULK_SORT_BUFFER_BYTES})
         * @return this
         */
        public Builder bulkSortBufferBytes(long bytes) {
            if (bytes < 65_536) {
                throw new IllegalArgumentException("bulkSortBufferBytes must be >= 65536, was " + bytes);
            }
            this.bulkSortBufferBytes = bytes;
            return this;
        }

        /** @param dir where spilled Bulk runs go (default: the system temporary directory) @return this */
        public Builder bulkSpillDirectory(Path dir) {
            this.bulkSpillDirectory = Objects.requireNonNull(dir, "bulkSpillDirectory");
            return this;
        }

        /** @param n times in a row a timed-out query window is halved, 0..16 @return this */
        public Builder maxQueryTimeoutSplits(int n) {
            if (n < 0 || n > 16) {
                throw new IllegalArgumentException("maxQueryTimeoutSplits must be between 0 and 16, was " + n);
            }
            this.maxQueryTimeoutSplits = n;
            return this;
        }

        /** @param retention how far back the delete log reaches (Salesforce: 15 days) @return this */
        public Builder deleteLogRetention(Duration retention) {
            this.deleteLogRetention = positive(retention, "deleteLogRetention");
            return this;
        }

        /**
         * @param redirect true (default) to retry an update that Salesforce rejects with
         *     {@code ENTITY_IS_DELETED} on the record it was merged into ({@code MasterRecordId}, read
         *     through {@code queryAll}), reporting the master's id as written; false to report the
         *     rejection and leave merges to the engine
         * @return this
         */
        public Builder redirectMergedWrites(boolean redirect) {
            this.redirectMergedWrites = redirect;
            return this;
        }

        /**
         * @param settings retry and circuit-breaker settings ({@link RetrySettings#custom()}); default
         *     {@link RetrySettings#ofDefaults()}
         * @return this
         */
        public Builder retry(RetrySettings settings) {
            this.retry = Objects.requireNonNull(settings, "retry");
            return this;
        }

        /** @param budget the share of the daily API limit this source may use @return this */
        public Builder budget(ApiBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /** @param clock the clock (JWT expiry, Bulk deadlines, circuit breaker, window splits) @return this */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** @param sleeper waits between retries and Bulk polls (tests inject one that does not wait) @return this */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper");
            return this;
        }

        /** @param random the source of retry jitter (seed it for reproducible waits) @return this */
        public Builder random(Random random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * @return the source (no request is made yet)
         * @throws IllegalStateException if no credentials were set
         * @throws IllegalArgumentException if a URL may not be used (plain http, client credentials on
         *     the generic login host, …)
         */
        public SalesforceCrmSource build() {
            if (credentials == null) {
                throw new IllegalStateException("credentials are required");
            }
            UrlPolicy policy = new UrlPolicy(allowHttpLoopback);
            URI login = loginUrl != null ? loginUrl : instanceUrl != null ? instanceUrl : DEFAULT_LOGIN_URL;
            login = policy.check(login, "login URL");
            if (instanceUrl != null) {
                policy.check(instanceUrl, "instance URL");
            }
            if (credentials instanceof SalesforceCredentials.AccessToken a) {
                policy.check(a.instanceUrl(), "instance URL of the access token");
            }
            if (credentials instanceof SalesforceCredentials.ClientCredentials) {
                String host = login.getHost().toLowerCase(Locale.ROOT);
                if (host.equals("login.salesforce.com") || host.equals("test.salesforce.com")) {
                    throw new IllegalArgumentException("the client-credentials flow must use the org's My Domain "
                            + "URL, not " + login + "; set loginUrl(...) or instanceUrl(...)");
                }
            }
            if (random == null) {
                random = new Random();
            }
            return new SalesforceCrmSource(this, login, policy);
        }

        private static Duration positive(Duration d, String name) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be positive, was " + d);
            }
            return d;
        }
    }
}
