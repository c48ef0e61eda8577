package dev.crmsync.salesforce.events;

import dev.crmsync.model.Sleeper;
import dev.crmsync.salesforce.events.internal.SchemaCache;
import dev.crmsync.salesforce.events.internal.Subscriber;
import io.grpc.CallCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import org.jspecify.annotations.Nullable;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A client of Salesforce's Pub/Sub API for change events: one long-lived {@code Subscribe} stream per
 * subscription, with pull flow control (the next {@code FetchRequest} only after the handler returned, at most
 * {@link Builder#batchSize} outstanding), the events decoded through a schema cache ({@code GetSchema} once per
 * schema id), reconnects with jittered exponential backoff from the last handled replay id, a token renewal on
 * {@code UNAUTHENTICATED} (then {@link SubscriptionFailure.Kind#AUTH_REFUSED}), and a keepalive watchdog: a
 * stream that hears nothing — not even Salesforce's keepalive, sent within 270 s — for
 * {@link Builder#keepAliveTimeout} is treated as dropped. A replay id the org no longer retains ends the
 * subscription with {@link SubscriptionFailure.Kind#REPLAY_ID_UNAVAILABLE} at once, never retried: the caller
 * must catch up another way (the engine polls).
 *
 * <p>TLS to {@link #DEFAULT_HOST}:{@link #DEFAULT_PORT} by default; plaintext only to a loopback address.
 * Logs name topics and Salesforce's error codes, never a token or a payload.
 */
public final class PubSubClient implements ChangeEventSubscriber, AutoCloseable {

    /** Salesforce's Pub/Sub API endpoint. */
    public static final String DEFAULT_HOST = "api.pubsub.salesforce.com";
    /** Its port. */
    public static final int DEFAULT_PORT = 7443;
    /** The most events one fetch may ask for. */
    public static final int MAX_BATCH = 100;
    /** Twice Salesforce's keepalive interval of 270 s. */
    public static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(540);

    private final Channel channel;
    private final @Nullable ManagedChannel owned;
    private final PubSubCredentials credentials;
    private final Subscriber.Settings settings;
    private final SchemaCache schemas;
    private final List<Subscriber> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean closed;

    private PubSubClient(Builder b) {
        if (b.channel != null) {
            this.channel = b.channel;
            this.owned = null;
        } else {
            NettyChannelBuilder cb = NettyChannelBuilder.forAddress(b.host, b.port);
            if (b.plaintext) {
                cb.usePlaintext();
            } else {
                cb.useTransportSecurity();
            }
            this.owned = cb.build();
            this.channel = owned;
        }
        this.credentials = b.credentials;
        AtomicReference<PubSubSession> current = new AtomicReference<>();
        CallCredentials headers = new CallCredentials() {
            @Override
            public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
                PubSubSession s = current.updateAndGet(old -> old == null ? credentials.session() : old);
                Metadata m = new Metadata();
                m.put(Metadata.Key.of(dev.crmsync.salesforce.events.pubsub.PubSubMethods.ACCESS_TOKEN_HEADER,
                        Metadata.ASCII_STRING_MARSHALLER), s.accessToken());
                m.put(Metadata.Key.of(dev.crmsync.salesforce.events.pubsub.PubSubMethods.INSTANCE_URL_HEADER,
                        Metadata.ASCII_STRING_MARSHALLER), s.instanceUrl().toString());
                m.put(Metadata.Key.of(dev.crmsync.salesforce.events.pubsub.PubSubMethods.TENANT_ID_HEADER,
                        Metadata.ASCII_STRING_MARSHALLER), s.tenantId());
                applier.apply(m);
            }
        };
        CallOptions options = CallOptions.DEFAULT.withCallCredentials(headers);
        this.schemas = new SchemaCache(channel, options, b.schemaCacheSize);
        this.settings = new Subscriber.Settings(channel, options, schemas, b.batchSize, b.keepAliveTimeout,
                b.initialBackoff, b.maxBackoff, b.maxReconnects, b.sleeper, b.clock,
                () -> current.updateAndGet(old -> credentials.renew(old == null ? credentials.session() : old)));
    }

    /** @return a builder */
    public static Builder builder() {
        return new Builder();
    }

    @Override
    public Subscription subscribe(String topic, ReplayFrom from, ChangeEventHandler handler) {
        Objects.requireNonNull(topic, "topic must not be null");
        Objects.requireNonNull(from, "from must not be null");
        Objects.requireNonNull(handler, "handler must not be null");
        if (!topic.startsWith("/data/") && !topic.startsWith("/event/")) {
            throw new IllegalArgumentException("a topic name starts with /data/ or /event/: " + topic);
        }
        if (closed) {
            throw new IllegalStateException("the Pub/Sub client is closed");
        }
        Subscriber s = new Subscriber(settings, topic, from, handler, subscriptions::remove);
        subscriptions.add(s);
        s.start();
        return s;
    }

    /** @return {@code GetSchema} calls made so far (one per schema id seen) */
    public long schemaCalls() {
        return schemas.calls();
    }

    /** Closes every subscription (no handler call starts after this returns), and the channel if the client made it. */
    @Override
    public void close() {
        closed = true;
        for (Subscriber s : subscriptions) {
            s.close();
        }
        if (owned != null) {
            owned.shutdownNow();
            try {
                owned.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "PubSubClient[" + subscriptions.size() + " subscriptions]";
    }

    /** Builds a {@link PubSubClient}; every setter validates at once. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private boolean plaintext;
        private @Nullable Channel channel;
        private @Nullable PubSubCredentials credentials;
        private int batchSize = MAX_BATCH;
        private Duration keepAliveTimeout = DEFAULT_KEEPALIVE_TIMEOUT;
        private Duration initialBackoff = Duration.ofSeconds(1);
        private Duration maxBackoff = Duration.ofMinutes(2);
        private int maxReconnects = 10;
        private int schemaCacheSize = 256;
        private Sleeper sleeper = Sleeper.SYSTEM;
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * @param host the endpoint's host
         * @param port its port
         * @return this builder (TLS)
         */
        public Builder endpoint(String host, int port) {
            Objects.requireNonNull(host, "host must not be null");
            if (port < 1 || port > 65_535) {
                throw new IllegalArgumentException("port must be 1..65535");
            }
            this.host = host;
            this.port = port;
            this.plaintext = false;
            return this;
        }

        /**
         * A plaintext endpoint: loopback only (a local fake server).
         *
         * @param host a loopback host
         * @param port its port
         * @return this builder
         * @throws IllegalArgumentException if the host is not a loopback address
         */
        public Builder plaintextLoopback(String host, int port) {
            endpoint(host, port);
            try {
                if (!InetAddress.getByName(host).isLoopbackAddress()) {
                    throw new IllegalArgumentException("plaintext is allowed to a loopback address only, not " + host);
                }
            } catch (UnknownHostException e) {
                throw new IllegalArgumentException("unknown host " + host, e);
            }
            this.plaintext = true;
            return this;
        }

        /** @param channel a channel the host made (its transport and security are the host's) @return this builder */
        public Builder channel(Channel channel) {
            this.channel = Objects.requireNonNull(channel, "channel must not be null");
            return this;
        }

        /** @param credentials where sessions come from (required) @return this builder */
        public Builder credentials(PubSubCredentials credentials) {
            this.credentials = Objects.requireNonNull(credentials, "credentials must not be null");
            return this;
        }

        /** @param n events per fetch, 1..{@value #MAX_BATCH} @return this builder */
        public Builder batchSize(int n) {
            if (n < 1 || n > MAX_BATCH) {
                throw new IllegalArgumentException("batchSize must be 1.." + MAX_BATCH);
            }
            this.batchSize = n;
            return this;
        }

        /** @param timeout silence after which a stream counts as dropped, positive @return this builder */
        public Builder keepAliveTimeout(Duration timeout) {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("keepAliveTimeout must be positive");
            }
            this.keepAliveTimeout = timeout;
            return this;
        }

        /**
         * @param initial    the first reconnect's pause
         * @param max        the longest pause
         * @param reconnects reconnects in a row before {@link SubscriptionFailure.Kind#STREAM_LOST}, at least 0
         * @return this builder
         */
        public Builder reconnect(Duration initial, Duration max, int reconnects) {
            if (initial.isNegative() || max.compareTo(initial) < 0 || reconnects < 0) {
                throw new IllegalArgumentException("need 0 <= initial <= max and reconnects >= 0");
            }
            this.initialBackoff = initial;
            this.maxBackoff = max;
            this.maxReconnects = reconnects;
            return this;
        }

        /** @param sleeper how reconnect pauses are waited (tests record them) @return this builder */
        public Builder sleeper(Sleeper sleeper) {
            this.sleeper = Objects.requireNonNull(sleeper, "sleeper must not be null");
            return this;
        }

        /** @param clock the clock {@link Subscription#lastResponseAt()} reads @return this builder */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock must not be null");
            return this;
        }

        /** @param n schemas kept, at least 1 @return this builder */
        public Builder schemaCacheSize(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("schemaCacheSize must be at least 1");
            }
            this.schemaCacheSize = n;
            return this;
        }

        /**
         * @return the client
         * @throws IllegalStateException without credentials
         */
        public PubSubClient build() {
            if (credentials == null) {
                throw new IllegalStateException("credentials are required");
            }
            return new PubSubClient(this);
        }
    }
}
