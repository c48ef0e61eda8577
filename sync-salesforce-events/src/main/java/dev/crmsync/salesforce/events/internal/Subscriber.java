package dev.crmsync.salesforce.events.internal;

import com.google.protobuf.ByteString;
import dev.crmsync.model.Sleeper;
import dev.crmsync.salesforce.events.ChangeEvent;
import dev.crmsync.salesforce.events.ChangeEventHandler;
import dev.crmsync.salesforce.events.ReplayFrom;
import dev.crmsync.salesforce.events.ReplayId;
import dev.crmsync.salesforce.events.Subscription;
import dev.crmsync.salesforce.events.SubscriptionFailure;
import dev.crmsync.salesforce.events.pubsub.ConsumerEvent;
import dev.crmsync.salesforce.events.pubsub.FetchRequest;
import dev.crmsync.salesforce.events.pubsub.FetchResponse;
import dev.crmsync.salesforce.events.pubsub.PubSubMethods;
import dev.crmsync.salesforce.events.pubsub.ReplayPreset;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One subscription's loop, on its own thread: open the stream, fetch, hand each response's events to the
 * handler, fetch again after it returns; reconnect after the last handled replay id; end with one
 * {@link SubscriptionFailure}.
 */
public final class Subscriber implements Subscription {

    private static final Logger LOG = LoggerFactory.getLogger(Subscriber.class);
    private static final Metadata.Key<String> ERROR_CODE = Metadata.Key.of("error-code", Metadata.ASCII_STRING_MARSHALLER);
    private static final Object COMPLETED = new Object();

    /**
     * What every subscription of a client shares.
     *
     * @param channel          the channel
     * @param options          call options with the credentials
     * @param schemas          the schema cache
     * @param batchSize        events per fetch
     * @param keepAliveTimeout silence that counts as a dropped stream
     * @param initialBackoff   the first reconnect pause
     * @param maxBackoff       the longest pause
     * @param maxReconnects    reconnects in a row before giving up
     * @param sleeper          waits the pauses
     * @param clock            stamps responses
     * @param renew            renews the session after UNAUTHENTICATED
     */
    public record Settings(Channel channel, CallOptions options, SchemaCache schemas, int batchSize,
                           Duration keepAliveTimeout, Duration initialBackoff, Duration maxBackoff, int maxReconnects,
                           Sleeper sleeper, Clock clock, Runnable renew) {
    }

    private final Settings s;
    private final String topic;
    private final ReplayFrom from;
    private final ChangeEventHandler handler;
    private final Consumer<Subscriber> onEnd;
    private final Thread thread;
    private volatile @Nullable ReplayId lastHandled;
    private volatile @Nullable Instant lastResponseAt;
    private volatile boolean closed;
    private volatile boolean ended;
    private volatile @Nullable ClientCall<FetchRequest, FetchResponse> call;

    /**
     * @param settings the client's settings
     * @param topic    the topic
     * @param from     where to start
     * @param handler  the handler
     * @param onEnd    told when the subscription ends
     */
    public Subscriber(Settings settings, String topic, ReplayFrom from, ChangeEventHandler handler,
                      Consumer<Subscriber> onEnd) {
        this.s = settings;
        this.topic = topic;
        this.from = from;
        this.handler = handler;
        this.onEnd = onEnd;
        this.thread = new Thread(this::run, "pubsub-" + topic);
        this.thread.setDaemon(true);
    }

    /** Starts the loop's thread. */
    public void start() {
        thread.start();
    }

    @Override
    public String topic() {
        return topic;
    }

    @Override
    public Optional<ReplayId> lastHandled() {
        return Optional.ofNullable(lastHandled);
    }

    @Override
    public Optional<Instant> lastResponseAt() {
        return Optional.ofNullable(lastResponseAt);
    }

    @Override
    public boolean isActive() {
        return !ended;
    }

    @Override
    public void close() {
        closed = true;
        ClientCall<FetchRequest, FetchResponse> c = call;
        if (c != null) {
            c.cancel("closed by the client", null);
        }
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public String toString() {
        return "Subscription[" + topic + (ended ? ", ended" : "") + "]";
    }

    private void run() {
        SubscriptionFailure failure;
        try {
            failure = loop();
        } catch (RuntimeException e) {
            failure = new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, e.getClass().getSimpleName(), e);
        }
        ended = true;
        onEnd.accept(this);
        if (!closed || failure.kind() != SubscriptionFailure.Kind.STREAM_LOST) {
            LOG.warn("subscription to {} ended: {} {}", topic, failure.kind(), failure.code());
        }
        handler.onFailure(failure);
    }

    private SubscriptionFailure loop() {
        int reconnects = 0;
        boolean renewed = false;
        while (true) {
            if (closed) {
                return new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, "CLOSED", null);
            }
            BlockingQueue<Object> in = new LinkedBlockingQueue<>();
            ClientCall<FetchRequest, FetchResponse> c = s.channel().newCall(PubSubMethods.SUBSCRIBE, s.options());
            call = c;
            StreamObserver<FetchRequest> out = ClientCalls.asyncBidiStreamingCall(c, new StreamObserver<>() {
                @Override
                public void onNext(FetchResponse value) {
                    in.add(value);
                }

                @Override
                public void onError(Throwable t) {
                    in.add(t);
                }

                @Override
                public void onCompleted() {
                    in.add(COMPLETED);
                }
            });
            ReplayId resumeAfter = lastHandled;
            FetchRequest.Builder first = FetchRequest.newBuilder().setTopicName(topic).setNumRequested(s.batchSize());
            if (resumeAfter != null) {
                first.setReplayPreset(ReplayPreset.CUSTOM).setReplayId(ByteString.copyFrom(resumeAfter.bytes()));
            } else if (from instanceof ReplayFrom.After after) {
                first.setReplayPreset(ReplayPreset.CUSTOM).setReplayId(ByteString.copyFrom(after.replayId().bytes()));
            } else if (from == ReplayFrom.earliest()) {
                first.setReplayPreset(ReplayPreset.EARLIEST);
            } else {
                first.setReplayPreset(ReplayPreset.LATEST);
            }
            out.onNext(first.build());
            Object ended;
            try {
                ended = stream(in, out);
            } catch (InterruptedException e) {
                c.cancel("interrupted", null);
                return new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, "CLOSED", e);
            } catch (HandlerFailed e) {
                c.cancel("the handler failed", null);
                return new SubscriptionFailure(SubscriptionFailure.Kind.HANDLER_FAILED, e.getCause().getClass().getSimpleName(),
                        e.getCause());
            }
            if (ended instanceof Progress) {
                reconnects = 0;
                renewed = false;
                continue;
            }
            if (closed) {
                return new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, "CLOSED", null);
            }
            Throwable t = ended instanceof Throwable th ? th : null;
            Status status = t == null ? Status.UNAVAILABLE.withDescription("the server ended the stream") : Status.fromThrowable(t);
            Metadata trailers = t == null ? null : Status.trailersFromThrowable(t);
            String code = trailers == null ? null : trailers.get(ERROR_CODE);
            String shown = code != null ? code : status.getCode().name();
            SubscriptionFailure.Kind terminal = terminal(status.getCode(), code);
            if (terminal == SubscriptionFailure.Kind.AUTH_REFUSED && !renewed) {
                renewed = true;
                LOG.info("subscription to {}: {}; renewing the session", topic, shown);
                try {
                    s.renew().run();
                } catch (RuntimeException e) {
                    return new SubscriptionFailure(SubscriptionFailure.Kind.AUTH_REFUSED, shown, e);
                }
                continue;
            }
            if (terminal != null) {
                return new SubscriptionFailure(terminal, shown, t);
            }
            if (++reconnects > s.maxReconnects()) {
                return new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, shown, t);
            }
            Duration pause = backoff(reconnects);
            LOG.info("subscription to {}: {}; reconnect {} in {} ms", topic, shown, reconnects, pause.toMillis());
            try {
                s.sleeper().sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new SubscriptionFailure(SubscriptionFailure.Kind.STREAM_LOST, "CLOSED", e);
            }
        }
    }

    /** Marks a stream that handled at least one response before it ended (the reconnect counter restarts). */
    private record Progress(Object end) {
    }

    private static final class HandlerFailed extends Exception {
        private static final long serialVersionUID = 1L;

        HandlerFailed(Exception cause) {
            super(cause);
        }
    }

    /** @return the stream's end (a Throwable or COMPLETED, or a Progress wrapping it, or null on a keepalive timeout) */
    private @Nullable Object stream(BlockingQueue<Object> in, StreamObserver<FetchRequest> out)
            throws InterruptedException, HandlerFailed {
        boolean progressed = false;
        while (true) {
            Object o = in.poll(s.keepAliveTimeout().toMillis(), TimeUnit.MILLISECONDS);
            if (o == null) {
                LOG.info("subscription to {}: no response within {} s; reconnecting", topic, s.keepAliveTimeout().toSeconds());
                ClientCall<FetchRequest, FetchResponse> c = call;
                if (c != null) {
                    c.cancel("keepalive timeout", null);
                }
                Object end = Status.UNAVAILABLE.withDescription("keepalive timeout").asRuntimeException();
                return progressed ? new Progress(end) : end;
            }
            if (!(o instanceof FetchResponse r)) {
                return progressed ? new Progress(o) : o;
            }
            progressed = true;
            lastResponseAt = s.clock().instant();
            ReplayId latest = r.getLatestReplayId().isEmpty() ? null : ReplayId.of(r.getLatestReplayId().toByteArray());
            if (r.getEventsCount() == 0) {
                if (latest != null) {
                    handler.onKeepAlive(latest);
                }
                continue;
            }
            deliver(r.getEventsList(), latest);
            out.onNext(FetchRequest.newBuilder().setTopicName(topic).setNumRequested(r.getEventsCount()).build());
        }
    }

    /** Hands the events over in order: decodable runs through onEvents, each undecodable one through onUndecodable. */
    private void deliver(List<ConsumerEvent> events, @Nullable ReplayId latest) throws HandlerFailed {
        List<ChangeEvent> run = new ArrayList<>();
        for (ConsumerEvent e : events) {
            ReplayId id = ReplayId.of(e.getReplayId().toByteArray());
            ChangeEvent decoded = null;
            String reason = null;
            try {
                decoded = s.schemas().decoder(e.getEvent().getSchemaId()).decode(e.getEvent().getPayload().toByteArray(), id);
            } catch (StatusRuntimeException x) {
                reason = "GetSchema failed: " + x.getStatus().getCode();
            } catch (IllegalArgumentException x) {
                reason = "undecodable: " + x.getMessage();
            }
            if (decoded != null) {
                run.add(decoded);
                continue;
            }
            flush(run, id);
            try {
                handler.onUndecodable(id, reason);
            } catch (Exception x) {
                throw new HandlerFailed(x);
            }
            lastHandled = id;
        }
        if (!run.isEmpty()) {
            ReplayId last = run.get(run.size() - 1).replayId();
            flush(run, latest != null ? latest : last);
        }
    }

    private void flush(List<ChangeEvent> run, ReplayId latest) throws HandlerFailed {
        if (run.isEmpty()) {
            return;
        }
        List<ChangeEvent> batch = List.copyOf(run);
        run.clear();
        try {
            handler.onEvents(batch, latest);
        } catch (Exception x) {
            throw new HandlerFailed(x);
        }
        lastHandled = batch.get(batch.size() - 1).replayId();
    }

    private static SubscriptionFailure.@Nullable Kind terminal(Status.Code status, @Nullable String code) {
        if (code != null && code.contains(".replayid.")) {
            return SubscriptionFailure.Kind.REPLAY_ID_UNAVAILABLE;
        }
        if (status == Status.Code.UNAUTHENTICATED || (code != null && code.contains(".auth."))) {
            return SubscriptionFailure.Kind.AUTH_REFUSED;
        }
        if (code != null && code.endsWith(".limit.exceeded")) {
            return SubscriptionFailure.Kind.ALLOCATION_EXCEEDED;
        }
        if (status == Status.Code.NOT_FOUND || status == Status.Code.PERMISSION_DENIED
                || (code != null && code.contains(".topic."))) {
            return SubscriptionFailure.Kind.TOPIC_UNAVAILABLE;
        }
        if (status == Status.Code.INVALID_ARGUMENT) {
            return SubscriptionFailure.Kind.TOPIC_UNAVAILABLE; // a request this client made wrongly: retrying repeats it
        }
        return null;
    }

    private Duration backoff(int attempt) {
        long initial = Math.max(1, s.initialBackoff().toMillis());
        long capped = Math.min(s.maxBackoff().toMillis(), initial << Math.min(20, attempt - 1));
        long jitter = ThreadLocalRandom.current().nextLong(capped / 2 + 1);
        return Duration.ofMillis(capped / 2 + jitter);
    }
}
