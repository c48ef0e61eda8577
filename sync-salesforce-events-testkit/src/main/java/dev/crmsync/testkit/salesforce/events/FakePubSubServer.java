package dev.crmsync.testkit.salesforce.events;

import com.google.protobuf.ByteString;
import dev.crmsync.crm.ObjectSchema;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.model.SyncRecord;
import dev.crmsync.salesforce.events.ChangeType;
import dev.crmsync.salesforce.events.pubsub.ConsumerEvent;
import dev.crmsync.salesforce.events.pubsub.FetchRequest;
import dev.crmsync.salesforce.events.pubsub.FetchResponse;
import dev.crmsync.salesforce.events.pubsub.ProducerEvent;
import dev.crmsync.salesforce.events.pubsub.PubSubMethods;
import dev.crmsync.salesforce.events.pubsub.ReplayPreset;
import dev.crmsync.salesforce.events.pubsub.SchemaInfo;
import dev.crmsync.salesforce.events.pubsub.SchemaRequest;
import dev.crmsync.salesforce.events.pubsub.TopicInfo;
import dev.crmsync.salesforce.events.pubsub.TopicRequest;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.RecordChange;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import dev.crmsync.testkit.salesforce.events.internal.CdcSchema;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import org.jspecify.annotations.Nullable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A fake of Salesforce's Pub/Sub API for Change Data Capture, hooked to a {@link FakeSalesforceServer} over an
 * {@link InMemoryCrm}: every transaction the fake org commits — by REST, composite, Bulk, SOAP or the CRM's own
 * methods — publishes one change event per changed record on {@code /data/{Type}ChangeEvent}
 * ({@code /data/Widget__ChangeEvent} for {@code Widget__c}), Avro-encoded with a schema built from the org's
 * describe, with strictly increasing replay ids.
 *
 * <p>What it holds to, as a real org does: the {@code accesstoken} / {@code instanceurl} / {@code tenantid}
 * headers are checked against the fake org's tokens, URL and org id ({@code UNAUTHENTICATED},
 * {@code sfdc.platform.eventbus.grpc.service.auth.error} in the {@code error-code} trailer); {@code Subscribe}
 * is pull flow control — never more events in flight than the {@code num_requested} not yet served, at most
 * {@value #MAX_REQUESTED} a request (more is capped, zero or less refused with
 * {@code sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid}); the replay preset is read
 * from a stream's first request only; a {@code CUSTOM} replay id outside the retention window (72 hours on the
 * fake's clock by default) or not one of the topic's fails with {@code INVALID_ARGUMENT},
 * {@code sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted}; an idle stream with requests
 * pending gets an empty response with the topic's latest replay id every keepalive interval (270 s by default).
 *
 * <p>Knobs for the world's faults: {@link #dropStreams()}, {@link #emitGap}, {@link #emitOverflow} (also
 * automatic when one transaction changes more than {@link Builder#overflowThreshold} records of a type),
 * {@link #duplicateNext}, {@link #refuseAuth}, {@link #exhaustAllocation}, {@link #disableCdc}; and counters
 * for exact assertions. Transports: in-process ({@link #inProcessChannel()}) and a plaintext socket on
 * {@code 127.0.0.1} ({@link #port()}), both live at once.
 *
 * <p>Differences from a real org (documented): one event per record (a real org may put several record ids
 * of one transaction in one event); compound fields are not nested (the fake holds their parts as plain
 * fields); every object the CRM has is selected for CDC unless {@link Builder#cdcTypes} narrows it.
 */
public final class FakePubSubServer implements AutoCloseable {

    /** The most events one {@code FetchRequest} may ask for; more is capped to it. */
    public static final int MAX_REQUESTED = 100;
    /** Salesforce's retention of change events. */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(72);
    /** Salesforce's keepalive on an idle stream. */
    public static final Duration DEFAULT_KEEPALIVE = Duration.ofSeconds(270);
    /** Salesforce's limit on the changes of one transaction before a {@code GAP_OVERFLOW}. */
    public static final int DEFAULT_OVERFLOW_THRESHOLD = 100_000;

    /** The trailer key Salesforce puts its error code under. */
    public static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
    /** Refused credentials. */
    public static final String AUTH_ERROR = "sfdc.platform.eventbus.grpc.service.auth.error";
    /** A replay id outside the retention window, or not the topic's. */
    public static final String REPLAY_ID_CORRUPTED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.corrupted";
    /** CUSTOM without a replay id. */
    public static final String REPLAY_ID_VALIDATION_FAILED = "sfdc.platform.eventbus.grpc.subscription.fetch.replayid.validation.failed";
    /** {@code num_requested} of zero or less. */
    public static final String REQUESTED_EVENTS_INVALID = "sfdc.platform.eventbus.grpc.subscription.fetch.requested.events.invalid";
    /** The org's event delivery allocation is spent. */
    public static final String LIMIT_EXCEEDED = "sfdc.platform.eventbus.grpc.subscription.limit.exceeded";
    /**
     * A topic that does not exist or whose object is not selected for CDC. (The fake's code; Salesforce's
     * published table was not at hand to confirm its exact spelling.)
     */
    public static final String TOPIC_NOT_FOUND = "sfdc.platform.eventbus.grpc.topic.not.found";

    private final FakeSalesforceServer salesforce;
    private final InMemoryCrm crm;
    private final Clock clock;
    private final Duration retention;
    private final Duration keepAlive;
    private final int overflowThreshold;
    private final @Nullable Set<ObjectType> cdcTypes;
    private final String inProcessName = "fake-pubsub-" + UUID.randomUUID();

    private final Object lock = new Object();
    private final Map<String, List<Stored>> topics = new HashMap<>();
    private final Map<String, CdcSchema> schemasById = new ConcurrentHashMap<>();
    private final Map<ObjectType, CdcSchema> schemasByType = new HashMap<>();
    private final Set<ObjectType> disabled = new HashSet<>();
    private final List<Stream> streams = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicLong> published = new ConcurrentHashMap<>();
    private final Map<String, AtomicLong> delivered = new ConcurrentHashMap<>();
    private final AtomicLong fetchRequests = new AtomicLong();
    private long nextReplay = 1_000;
    private long commitNumber = 10_000_000L;
    private int duplicates;
    private volatile boolean refuseAuth;
    private volatile boolean allocationSpent;

    private final RecordChange.Listener listener = this::committed;
    private @Nullable Server inProcess;
    private @Nullable Server socket;
    private @Nullable ScheduledExecutorService timer;

    private FakePubSubServer(Builder b) {
        this.salesforce = b.salesforce;
        if (!(salesforce.crm() instanceof InMemoryCrm memory)) {
            throw new IllegalArgumentException("the fake Pub/Sub server publishes from an InMemoryCrm; the fake"
                    + " Salesforce server is over a " + salesforce.crm().getClass().getSimpleName());
        }
        this.crm = memory;
        this.clock = salesforce.clock();
        this.retention = b.retention;
        this.keepAlive = b.keepAlive;
        this.overflowThreshold = b.overflowThreshold;
        this.cdcTypes = b.cdcTypes;
    }

    /**
     * @param salesforce the fake org, started
     * @return a builder
     */
    public static Builder builder(FakeSalesforceServer salesforce) {
        return new Builder(Objects.requireNonNull(salesforce, "salesforce must not be null"));
    }

    /**
     * Starts both transports and hooks the CRM. Idempotent.
     *
     * @return this server
     */
    public FakePubSubServer start() {
        synchronized (lock) {
            if (inProcess != null) {
                return this;
            }
            ServerServiceDefinition service = ServerInterceptors.intercept(service(), new Auth());
            try {
                inProcess = InProcessServerBuilder.forName(inProcessName).addService(service).build().start();
                socket = NettyServerBuilder.forAddress(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                        .addService(service).build().start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start the fake Pub/Sub server", e);
            }
            ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread th = new Thread(r, "fake-pubsub-keepalive");
                th.setDaemon(true);
                return th;
            });
            long tick = Math.max(1, keepAlive.toMillis() / 4);
            t.scheduleWithFixedDelay(this::keepAlives, tick, tick, TimeUnit.MILLISECONDS);
            timer = t;
        }
        crm.addChangeListener(listener);
        return this;
    }

    /** @return the loopback port of the plaintext socket transport */
    public int port() {
        synchronized (lock) {
            if (socket == null) {
                throw new IllegalStateException("the fake Pub/Sub server is not started");
            }
            return socket.getPort();
        }
    }

    /** @return the in-process server's name (for {@code InProcessChannelBuilder.forName}) */
    public String inProcessName() {
        return inProcessName;
    }

    /** @return a new in-process channel to this server; the caller closes it */
    public ManagedChannel inProcessChannel() {
        return InProcessChannelBuilder.forName(inProcessName).build();
    }

    /**
     * @param type an object type
     * @return its topic name, as Salesforce names it
     */
    public static String topicOf(ObjectType type) {
        String api = type.apiName();
        return "/data/" + (api.endsWith("__c") ? api.substring(0, api.length() - 3) + "__" : api) + "ChangeEvent";
    }

    // ---- knobs --------------------------------------------------------------------------------

    /** Ends every open stream with {@code UNAVAILABLE}, as a dropped connection does. */
    public void dropStreams() {
        for (Stream s : streams) {
            s.fail(Status.UNAVAILABLE.withDescription("RST_STREAM closed stream"), null);
        }
    }

    /**
     * Publishes a gap event (record ids, no fields).
     *
     * @param type       the object
     * @param changeType one of the {@code GAP_*} types but {@code GAP_OVERFLOW}
     * @param ids        the records
     */
    public void emitGap(ObjectType type, ChangeType changeType, List<CrmId> ids) {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(ids, "ids");
        if (!changeType.isGap() || changeType == ChangeType.GAP_OVERFLOW) {
            throw new IllegalArgumentException("a gap event is GAP_CREATE, GAP_UPDATE, GAP_DELETE or GAP_UNDELETE");
        }
        publish(type, ids.stream().map(CrmId::value).toList(), changeType.name(), Map.of(), List.of(), List.of(),
                "gap-" + UUID.randomUUID(), 1);
    }

    /**
     * Publishes a {@code GAP_OVERFLOW} event for an object (no record ids: poll it).
     *
     * @param type the object
     */
    public void emitOverflow(ObjectType type) {
        publish(Objects.requireNonNull(type, "type"), List.of(), "GAP_OVERFLOW", Map.of(), List.of(), List.of(),
                "overflow-" + UUID.randomUUID(), 1);
    }

    /**
     * Delivers each of the next {@code n} events twice (same replay id), as at-least-once delivery can.
     *
     * @param n how many, at least 0
     */
    public void duplicateNext(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be at least 0");
        }
        synchronized (lock) {
            duplicates = n;
        }
    }

    /** @param refuse whether every call is refused as unauthenticated */
    public void refuseAuth(boolean refuse) {
        this.refuseAuth = refuse;
    }

    /** @param spent whether the org's event delivery allocation is spent (open streams fail, new ones are refused) */
    public void exhaustAllocation(boolean spent) {
        this.allocationSpent = spent;
        if (spent) {
            for (Stream s : streams) {
                s.fail(Status.RESOURCE_EXHAUSTED.withDescription("You have exceeded the event delivery limit for your org."),
                        LIMIT_EXCEEDED);
            }
        }
    }

    /**
     * Deselects an object from CDC: its topic is refused from now on and nothing more is published on it.
     *
     * @param type the object
     */
    public void disableCdc(ObjectType type) {
        Objects.requireNonNull(type, "type");
        synchronized (lock) {
            disabled.add(type);
        }
        for (Stream s : streams) {
            if (s.topic != null && s.topic.equals(topicOf(type))) {
                s.fail(Status.NOT_FOUND.withDescription("topic not available"), TOPIC_NOT_FOUND);
            }
        }
    }

    // ---- counters -----------------------------------------------------------------------------

    /** @param topic a topic @return events published on it (gap events included) */
    public long published(String topic) {
        AtomicLong n = published.get(topic);
        return n == null ? 0 : n.get();
    }

    /** @param topic a topic @return events delivered on it, to every stream, duplicates included */
    public long delivered(String topic) {
        AtomicLong n = delivered.get(topic);
        return n == null ? 0 : n.get();
    }

    /** @return {@code FetchRequest}s received, on every stream */
    public long fetchRequests() {
        return fetchRequests.get();
    }

    /** @return streams open now */
    public int openStreams() {
        return streams.size();
    }

    /** @param topic a topic @return the replay id of its newest retained event, as 8 big-endian bytes */
    public Optional<byte[]> latestReplayId(String topic) {
        synchronized (lock) {
            List<Stored> log = topics.get(topic);
            return log == null || log.isEmpty() ? Optional.empty() : Optional.of(bytes(log.get(log.size() - 1).replay));
        }
    }

    @Override
    public void close() {
        crm.removeChangeListener(listener);
        synchronized (lock) {
            for (Stream s : streams) {
                s.fail(Status.UNAVAILABLE.withDescription("server shutting down"), null);
            }
            if (timer != null) {
                timer.shutdownNow();
            }
            if (inProcess != null) {
                inProcess.shutdownNow();
            }
            if (socket != null) {
                socket.shutdownNow();
            }
        }
    }

    @Override
    public String toString() {
        return "FakePubSubServer[" + streams.size() + " streams]";
    }

    // ---- publishing ---------------------------------------------------------------------------

    private record Stored(long replay, String schemaId, byte[] payload, Instant at) {
    }

    private void committed(List<RecordChange> changes, String transactionKey) {
        Map<ObjectType, List<RecordChange>> byType = new LinkedHashMap<>();
        for (RecordChange c : changes) {
            byType.computeIfAbsent(c.type(), k -> new ArrayList<>()).add(c);
        }
        byType.forEach((type, list) -> {
            if (list.size() > overflowThreshold) {
                publish(type, List.of(), "GAP_OVERFLOW", Map.of(), List.of(), List.of(), transactionKey, 1);
                return;
            }
            int seq = 0;
            for (RecordChange c : list) {
                Map<String, FieldValue> values = Map.of();
                List<String> changed = List.of();
                List<String> nulled = List.of();
                if (c.kind() != RecordChange.Kind.DELETE) {
                    SyncRecord r = crm.get(type, c.id()).orElse(null);
                    if (r != null) {
                        if (c.kind() == RecordChange.Kind.UPDATE) {
                            Map<String, FieldValue> v = new LinkedHashMap<>();
                            List<String> n = new ArrayList<>();
                            for (String f : c.changedFields()) {
                                FieldValue fv = r.fields().getOrDefault(f, FieldValue.NULL);
                                if (fv.isNull()) {
                                    n.add(f);
                                } else {
                                    v.put(f, fv);
                                }
                            }
                            values = v;
                            changed = c.changedFields();
                            nulled = n;
                        } else {
                            values = r.fields();
                        }
                    }
                }
                publish(type, List.of(c.id().value()), c.kind().name(), values, changed, nulled, transactionKey, ++seq);
            }
        });
    }

    private void publish(ObjectType type, List<String> ids, String changeType, Map<String, FieldValue> values,
                         List<String> changed, List<String> nulled, String transactionKey, int seq) {
        String topic = topicOf(type);
        List<Stream> wake;
        ObjectSchema describe = crm.describe(type).orElse(null);    // the CRM's lock before ours, always
        synchronized (lock) {
            if (!cdcSelected(type)) {
                return;
            }
            CdcSchema schema = schema(type, describe);
            if (schema == null) {
                return;
            }
            Instant now = clock.instant();
            byte[] payload = schema.encode(new CdcSchema.Header(ids, changeType, "com/salesforce/api/rest/"
                    + salesforce.apiVersion(), transactionKey, seq, now.toEpochMilli(), ++commitNumber,
                    salesforce.integrationUserId()), values, changed, nulled);
            nextReplay += 1 + (nextReplay % 7 == 0 ? 3 : 0); // increasing, not contiguous, as Salesforce's are
            topics.computeIfAbsent(topic, k -> new ArrayList<>()).add(new Stored(nextReplay, schema.id(), payload, now));
            published.computeIfAbsent(topic, k -> new AtomicLong()).incrementAndGet();
            wake = new ArrayList<>();
            for (Stream s : streams) {
                if (topic.equals(s.topic)) {
                    wake.add(s);
                }
            }
        }
        for (Stream s : wake) {
            s.drain();
        }
    }

    private boolean cdcSelected(ObjectType type) {
        return !disabled.contains(type) && (cdcTypes == null || cdcTypes.contains(type));
    }

    /**
     * Under the lock. The schema follows the describe: a new field gives a new schema id. The describe is taken
     * before the lock: the CRM calls its change listener under its own lock, so the CRM's lock always comes
     * first (a describe under this lock would deadlock with a commit publishing).
     */
    private @Nullable CdcSchema schema(ObjectType type, @Nullable ObjectSchema describe) {
        if (describe == null) {
            return null;
        }
        CdcSchema s = CdcSchema.of(describe);
        CdcSchema known = schemasByType.get(type);
        if (known != null && known.id().equals(s.id())) {
            return known;
        }
        schemasByType.put(type, s);
        schemasById.put(s.id(), s);
        return s;
    }

    private @Nullable ObjectType typeOf(String topic) {
        if (!topic.startsWith("/data/") || !topic.endsWith("ChangeEvent")) {
            return null;
        }
        String name = topic.substring(6, topic.length() - "ChangeEvent".length());
        String api = name.endsWith("__") ? name + "c" : name;
        for (ObjectType t : crm.availableTypes()) {
            if (t.apiName().equals(api)) {
                return t;
            }
        }
        return null;
    }

    private void prune() {
        Instant horizon = clock.instant().minus(retention);
        for (List<Stored> log : topics.values()) {
            int n = 0;
            while (n < log.size() && log.get(n).at.isBefore(horizon)) {
                n++;
            }
            if (n > 0) {
                log.subList(0, n).clear();
            }
        }
    }

    private static byte[] bytes(long replay) {
        return ByteBuffer.allocate(8).putLong(replay).array();
    }

    // ---- the service --------------------------------------------------------------------------

    private static StatusRuntimeException error(Status status, @Nullable String code) {
        Metadata trailers = new Metadata();
        if (code != null) {
            trailers.put(ERROR_CODE, code);
        }
        return status.asRuntimeException(trailers);
    }

    private ServerServiceDefinition service() {
        return ServerServiceDefinition.builder(PubSubMethods.SERVICE)
                .addMethod(PubSubMethods.GET_TOPIC, ServerCalls.asyncUnaryCall(this::getTopic))
                .addMethod(PubSubMethods.GET_SCHEMA, ServerCalls.asyncUnaryCall(this::getSchema))
                .addMethod(PubSubMethods.SUBSCRIBE, ServerCalls.asyncBidiStreamingCall(this::subscribe))
                .build();
    }

    private void getTopic(TopicRequest request, StreamObserver<TopicInfo> out) {
        ObjectType type = typeOf(request.getTopicName());
        ObjectSchema describe = type == null ? null : crm.describe(type).orElse(null);
        CdcSchema schema;
        synchronized (lock) {
            schema = type == null || !cdcSelected(type) ? null : schema(type, describe);
        }
        if (schema == null) {
            out.onError(error(Status.NOT_FOUND.withDescription("topic not available"), TOPIC_NOT_FOUND));
            return;
        }
        out.onNext(TopicInfo.newBuilder().setTopicName(request.getTopicName()).setTenantGuid(salesforce.orgId())
                .setCanPublish(false).setCanSubscribe(true).setSchemaId(schema.id()).setRpcId(UUID.randomUUID().toString())
                .build());
        out.onCompleted();
    }

    private void getSchema(SchemaRequest request, StreamObserver<SchemaInfo> out) {
        CdcSchema s = schemasById.get(request.getSchemaId());
        if (s == null) {
            out.onError(error(Status.NOT_FOUND.withDescription("schema not found"), "sfdc.platform.eventbus.grpc.schema.not.found"));
            return;
        }
        out.onNext(SchemaInfo.newBuilder().setSchemaId(s.id()).setSchemaJson(s.json())
                .setRpcId(UUID.randomUUID().toString()).build());
        out.onCompleted();
    }

    private StreamObserver<FetchRequest> subscribe(StreamObserver<FetchResponse> out) {
        Stream s = new Stream((ServerCallStreamObserver<FetchResponse>) out);
        streams.add(s);
        return s;
    }

    /** One Subscribe stream: its position in the topic's log and the events it may still be sent. */
    private final class Stream implements StreamObserver<FetchRequest> {
        private final ServerCallStreamObserver<FetchResponse> out;
        volatile @Nullable String topic;
        private long after = Long.MIN_VALUE;   // replay id of the last event sent
        private int pending;
        private boolean done;
        private long lastSent = System.nanoTime();

        Stream(ServerCallStreamObserver<FetchResponse> out) {
            this.out = out;
            out.setOnCancelHandler(() -> {
                synchronized (this) {
                    done = true;
                }
                streams.remove(this);
            });
        }

        @Override
        public void onNext(FetchRequest request) {
            try {
                handle(request);
            } finally {
                fetchRequests.incrementAndGet(); // counted once handled: a test that sees it sees the stream started
            }
            drain();
        }

        private void handle(FetchRequest request) {
            if (request.getNumRequested() <= 0) {
                fail(Status.INVALID_ARGUMENT.withDescription("The requested number of events in a fetch request must"
                        + " be greater than zero"), REQUESTED_EVENTS_INVALID);
                return;
            }
            if (allocationSpent) {
                fail(Status.RESOURCE_EXHAUSTED.withDescription("You have exceeded the event delivery limit for your org."),
                        LIMIT_EXCEEDED);
                return;
            }
            // the CRM's lock (type and describe) before this stream's and ours: a commit publishing holds it
            // and then takes the stream's to send
            ObjectType type = null;
            ObjectSchema describe = null;
            if (topic == null) {
                type = typeOf(request.getTopicName());
                describe = type == null ? null : crm.describe(type).orElse(null);
            }
            synchronized (this) {
                if (done) {
                    return;
                }
                if (topic == null && !start(request, type, describe)) {
                    return;
                }
                pending = Math.min(MAX_REQUESTED, pending + Math.min(MAX_REQUESTED, request.getNumRequested()));
            }
        }

        /** The first request: topic and start. Under this stream's monitor. */
        private boolean start(FetchRequest request, @Nullable ObjectType type, @Nullable ObjectSchema describe) {
            synchronized (lock) {
                if (type == null || !cdcSelected(type) || schema(type, describe) == null) {
                    failLocked(Status.NOT_FOUND.withDescription("topic not available"), TOPIC_NOT_FOUND);
                    return false;
                }
                prune();
                List<Stored> log = topics.computeIfAbsent(request.getTopicName(), k -> new ArrayList<>());
                ReplayPreset preset = request.getReplayPreset();
                if (preset == ReplayPreset.EARLIEST) {
                    after = Long.MIN_VALUE;
                } else if (preset == ReplayPreset.CUSTOM) {
                    if (request.getReplayId().isEmpty()) {
                        failLocked(Status.INVALID_ARGUMENT.withDescription("The replay_preset field in FetchRequest is"
                                + " set to ReplayPreset.CUSTOM, but no Replay ID value is set"), REPLAY_ID_VALIDATION_FAILED);
                        return false;
                    }
                    long r = request.getReplayId().size() == 8 ? request.getReplayId().asReadOnlyByteBuffer().getLong() : -1;
                    boolean known = false;
                    for (Stored e : log) {
                        if (e.replay == r) {
                            known = true;
                            break;
                        }
                    }
                    if (!known) {
                        failLocked(Status.INVALID_ARGUMENT.withDescription("The Replay ID validation failed."),
                                REPLAY_ID_CORRUPTED);
                        return false;
                    }
                    after = r;
                } else {
                    after = log.isEmpty() ? nextReplay : log.get(log.size() - 1).replay;
                }
                topic = request.getTopicName();
            }
            return true;
        }

        /** Sends what is pending and available, in responses of at most {@value #MAX_REQUESTED}. */
        void drain() {
            List<ConsumerEvent> batch = new ArrayList<>();
            byte[] latest;
            synchronized (this) {
                if (done || topic == null || pending == 0) {
                    return;
                }
                synchronized (lock) {
                    List<Stored> log = topics.getOrDefault(topic, List.of());
                    for (Stored e : log) {
                        if (e.replay <= after || batch.size() >= pending) {
                            continue;
                        }
                        ConsumerEvent ce = ConsumerEvent.newBuilder().setReplayId(ByteString.copyFrom(bytes(e.replay)))
                                .setEvent(ProducerEvent.newBuilder().setId(UUID.nameUUIDFromBytes(bytes(e.replay)).toString())
                                        .setSchemaId(e.schemaId).setPayload(ByteString.copyFrom(e.payload)))
                                .build();
                        batch.add(ce);
                        if (duplicates > 0 && batch.size() < pending) {
                            duplicates--;
                            batch.add(ce);
                        }
                        after = e.replay;
                    }
                    if (batch.isEmpty()) {
                        return;
                    }
                    latest = bytes(after);
                }
                pending -= batch.size();
                delivered.computeIfAbsent(topic, k -> new AtomicLong()).addAndGet(batch.size());
                lastSent = System.nanoTime();
                out.onNext(FetchResponse.newBuilder().addAllEvents(batch).setLatestReplayId(ByteString.copyFrom(latest))
                        .setRpcId(UUID.randomUUID().toString()).setPendingNumRequested(pending).build());
            }
        }

        synchronized void keepAlive() {
            if (done || topic == null || pending == 0 || System.nanoTime() - lastSent < keepAlive.toNanos()) {
                return;
            }
            byte[] latest;
            synchronized (lock) {
                List<Stored> log = topics.getOrDefault(topic, List.of());
                latest = bytes(log.isEmpty() ? after : log.get(log.size() - 1).replay);
            }
            lastSent = System.nanoTime();
            out.onNext(FetchResponse.newBuilder().setLatestReplayId(ByteString.copyFrom(latest))
                    .setRpcId(UUID.randomUUID().toString()).setPendingNumRequested(pending).build());
        }

        synchronized void fail(Status status, @Nullable String code) {
            failLocked(status, code);
        }

        private void failLocked(Status status, @Nullable String code) {
            if (done) {
                return;
            }
            done = true;
            streams.remove(this);
            try {
                out.onError(error(status, code));
            } catch (IllegalStateException alreadyClosed) {
                // the call ended meanwhile
            }
        }

        @Override
        public void onError(Throwable t) {
            synchronized (this) {
                done = true;
            }
            streams.remove(this);
        }

        @Override
        public synchronized void onCompleted() {
            if (!done) {
                done = true;
                streams.remove(this);
                out.onCompleted();
            }
        }
    }

    private void keepAlives() {
        for (Stream s : streams) {
            try {
                s.keepAlive();
            } catch (RuntimeException e) {
                s.fail(Status.INTERNAL, null);
            }
        }
    }

    /** Checks the three auth headers against the fake org. */
    private final class Auth implements ServerInterceptor {
        @Override
        public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
                                                           ServerCallHandler<Q, A> next) {
            String token = headers.get(Metadata.Key.of(PubSubMethods.ACCESS_TOKEN_HEADER, Metadata.ASCII_STRING_MARSHALLER));
            String instance = headers.get(Metadata.Key.of(PubSubMethods.INSTANCE_URL_HEADER, Metadata.ASCII_STRING_MARSHALLER));
            String tenant = headers.get(Metadata.Key.of(PubSubMethods.TENANT_ID_HEADER, Metadata.ASCII_STRING_MARSHALLER));
            boolean ok = !refuseAuth && salesforce.acceptsAccessToken(token) && instance != null
                    && stripSlash(instance).equals(stripSlash(salesforce.baseUri().toString()))
                    && salesforce.orgId().equals(tenant);
            if (!ok) {
                Metadata trailers = new Metadata();
                trailers.put(ERROR_CODE, AUTH_ERROR);
                call.close(Status.UNAUTHENTICATED.withDescription("An authentication exception occurred. Provide valid"
                        + " authentication via metadata headers."), trailers);
                return new ServerCall.Listener<>() {
                };
            }
            return next.startCall(call, headers);
        }
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** Builds a {@link FakePubSubServer}; every setter validates. */
    public static final class Builder {
        private final FakeSalesforceServer salesforce;
        private Duration retention = DEFAULT_RETENTION;
        private Duration keepAlive = DEFAULT_KEEPALIVE;
        private int overflowThreshold = DEFAULT_OVERFLOW_THRESHOLD;
        private @Nullable Set<ObjectType> cdcTypes;

        private Builder(FakeSalesforceServer salesforce) {
            this.salesforce = salesforce;
        }

        /** @param retention how long events are kept (on the fake org's clock), positive @return this builder */
        public Builder retention(Duration retention) {
            if (retention.isNegative() || retention.isZero()) {
                throw new IllegalArgumentException("retention must be positive");
            }
            this.retention = retention;
            return this;
        }

        /** @param interval the keepalive interval of an idle stream (wall time), at least 1 ms @return this builder */
        public Builder keepAliveInterval(Duration interval) {
            if (interval.toMillis() < 1) {
                throw new IllegalArgumentException("the keepalive interval must be at least 1 ms");
            }
            this.keepAlive = interval;
            return this;
        }

        /** @param records the most changes of one type in one transaction before a GAP_OVERFLOW, at least 1 @return this builder */
        public Builder overflowThreshold(int records) {
            if (records < 1) {
                throw new IllegalArgumentException("the overflow threshold must be at least 1");
            }
            this.overflowThreshold = records;
            return this;
        }

        /** @param types the objects selected for CDC (default: every object the CRM has) @return this builder */
        public Builder cdcTypes(Set<ObjectType> types) {
            this.cdcTypes = Set.copyOf(types);
            return this;
        }

        /** @return the server, not started */
        public FakePubSubServer build() {
            return new FakePubSubServer(this);
        }
    }
}
