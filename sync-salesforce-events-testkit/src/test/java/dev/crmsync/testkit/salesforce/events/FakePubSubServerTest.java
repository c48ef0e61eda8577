package dev.crmsync.testkit.salesforce.events;

import com.google.protobuf.ByteString;
import dev.crmsync.model.CrmId;
import dev.crmsync.model.FieldValue;
import dev.crmsync.model.ObjectType;
import dev.crmsync.salesforce.events.ChangeEvent;
import dev.crmsync.salesforce.events.ChangeEventDecoder;
import dev.crmsync.salesforce.events.ChangeType;
import dev.crmsync.salesforce.events.ReplayId;
import dev.crmsync.salesforce.events.pubsub.ConsumerEvent;
import dev.crmsync.salesforce.events.pubsub.FetchRequest;
import dev.crmsync.salesforce.events.pubsub.FetchResponse;
import dev.crmsync.salesforce.events.pubsub.PubSubMethods;
import dev.crmsync.salesforce.events.pubsub.ReplayPreset;
import dev.crmsync.salesforce.events.pubsub.SchemaRequest;
import dev.crmsync.salesforce.events.pubsub.TopicInfo;
import dev.crmsync.salesforce.events.pubsub.TopicRequest;
import dev.crmsync.testkit.InMemoryCrm;
import dev.crmsync.testkit.ManualClock;
import dev.crmsync.testkit.salesforce.FakeSalesforceServer;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The fake Pub/Sub server driven with raw gRPC calls on the published messages, not the project's client. */
class FakePubSubServerTest {

    private static final String LEADS = "/data/LeadChangeEvent";

    private final ManualClock clock = new ManualClock(Instant.parse("2026-12-01T10:00:00Z"));
    private final InMemoryCrm crm = InMemoryCrm.builder().clock(clock).seed(5).build();
    private final FakeSalesforceServer salesforce = FakeSalesforceServer.builder().crm(crm).clock(clock).build().start();
    private final FakePubSubServer pubsub = FakePubSubServer.builder(salesforce)
            .keepAliveInterval(Duration.ofMillis(100)).build().start();
    private final List<ManagedChannel> channels = new ArrayList<>();

    @AfterEach
    void close() throws InterruptedException {
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        pubsub.close();
        salesforce.close();
    }

    private Channel channel(String token) {
        ManagedChannel raw = pubsub.inProcessChannel();
        channels.add(raw);
        return authed(raw, token);
    }

    private Channel authed(ManagedChannel raw, String token) {
        Metadata h = new Metadata();
        h.put(Metadata.Key.of("accesstoken", Metadata.ASCII_STRING_MARSHALLER), token);
        h.put(Metadata.Key.of("instanceurl", Metadata.ASCII_STRING_MARSHALLER), salesforce.baseUri().toString());
        h.put(Metadata.Key.of("tenantid", Metadata.ASCII_STRING_MARSHALLER), salesforce.orgId());
        return ClientInterceptors.intercept(raw, MetadataUtils.newAttachHeadersInterceptor(h));
    }

    private Channel channel() {
        return channel(FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
    }

    /** A Subscribe stream whose responses and end are queued. */
    private static final class Sub implements StreamObserver<FetchResponse> {
        final BlockingQueue<Object> in = new LinkedBlockingQueue<>();
        StreamObserver<FetchRequest> out;

        static Sub open(Channel ch) {
            Sub s = new Sub();
            s.out = ClientCalls.asyncBidiStreamingCall(ch.newCall(PubSubMethods.SUBSCRIBE, CallOptions.DEFAULT), s);
            return s;
        }

        void fetch(String topic, ReplayPreset preset, ByteString replay, int n) {
            out.onNext(FetchRequest.newBuilder().setTopicName(topic).setReplayPreset(preset).setReplayId(replay)
                    .setNumRequested(n).build());
        }

        void more(int n) {
            out.onNext(FetchRequest.newBuilder().setNumRequested(n).build());
        }

        Object next() throws InterruptedException {
            Object o = in.poll(10, TimeUnit.SECONDS);
            assertNotNull(o, "nothing arrived within 10 s");
            return o;
        }

        List<ConsumerEvent> events(int n) throws InterruptedException {
            List<ConsumerEvent> got = new ArrayList<>();
            while (got.size() < n) {
                Object o = next();
                assertInstanceOf(FetchResponse.class, o, () -> "stream ended: " + o);
                got.addAll(((FetchResponse) o).getEventsList());
            }
            return got;
        }

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
            in.add("completed");
        }
    }

    private ChangeEvent decode(Channel ch, ConsumerEvent e) {
        String json = ClientCalls.blockingUnaryCall(ch, PubSubMethods.GET_SCHEMA, CallOptions.DEFAULT,
                SchemaRequest.newBuilder().setSchemaId(e.getEvent().getSchemaId()).build()).getSchemaJson();
        return ChangeEventDecoder.forSchema(json).decode(e.getEvent().getPayload().toByteArray(),
                ReplayId.of(e.getReplayId().toByteArray()));
    }

    private static Map<String, FieldValue> lead(String last) {
        return Map.of("LastName", FieldValue.text(last), "Company", FieldValue.text("Acme"));
    }

    @Test
    void everyWriteIsAnEventThatTheProjectsDecoderReads() throws Exception {
        CrmId id = crm.insert(ObjectType.LEAD, lead("Lovelace"));
        crm.update(ObjectType.LEAD, id, Map.of("Company", FieldValue.text("Engines"), "Title", FieldValue.NULL));
        crm.update(ObjectType.LEAD, id, Map.of("Title", FieldValue.text("Countess")));
        crm.update(ObjectType.LEAD, id, Map.of("Title", FieldValue.NULL));
        crm.delete(ObjectType.LEAD, id);
        Channel ch = channel();
        Sub s = Sub.open(ch);
        s.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 10);
        List<ConsumerEvent> events = s.events(5);
        List<ChangeEvent> decoded = events.stream().map(e -> decode(ch, e)).toList();

        assertEquals(List.of(ChangeType.CREATE, ChangeType.UPDATE, ChangeType.UPDATE, ChangeType.UPDATE, ChangeType.DELETE),
                decoded.stream().map(ChangeEvent::changeType).toList());
        decoded.forEach(e -> assertEquals(List.of(id.value()), e.recordIds()));
        assertEquals("Lovelace", decoded.get(0).values().get("LastName"));
        assertEquals(List.of("Company"), decoded.get(1).changedFields());   // Title was already empty
        assertEquals(Map.of("Company", "Engines"), decoded.get(1).values());
        assertEquals(List.of("Title"), decoded.get(2).changedFields());
        assertEquals(List.of("Title"), decoded.get(3).nulledFields());
        assertEquals(List.of(), decoded.get(4).changedFields());
        assertEquals(salesforce.integrationUserId(), decoded.get(0).commitUser());
        for (int i = 1; i < events.size(); i++) {   // replay ids strictly increase
            assertTrue(events.get(i).getReplayId().asReadOnlyByteBuffer().getLong()
                    > events.get(i - 1).getReplayId().asReadOnlyByteBuffer().getLong());
        }
        assertEquals(5, pubsub.published(LEADS));
        assertEquals(5, pubsub.delivered(LEADS));
    }

    @Test
    void aRestWriteThroughTheFakeServerPublishesToo() throws Exception {
        Sub s = Sub.open(channel());
        s.fetch(LEADS, ReplayPreset.LATEST, ByteString.EMPTY, 5);
        awaitOpen(1);
        HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create(salesforce.baseUri() + "/services/data/v" + salesforce.apiVersion() + "/sobjects/Lead"))
                .header("Authorization", "Bearer " + FakeSalesforceServer.DEFAULT_ACCESS_TOKEN)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"LastName\":\"Hopper\",\"Company\":\"Navy\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(201, r.statusCode(), r.body());
        assertEquals(1, s.events(1).size());
    }

    @Test
    void pullFlowControlNeverSendsMoreThanRequested() throws Exception {
        for (int i = 0; i < 5; i++) {
            crm.insert(ObjectType.LEAD, lead("L" + i));
        }
        Sub s = Sub.open(channel());
        s.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 3);
        assertEquals(3, s.events(3).size());
        crm.insert(ObjectType.LEAD, lead("L5"));
        assertNull(s.in.poll(300, TimeUnit.MILLISECONDS) instanceof FetchResponse f && f.getEventsCount() > 0 ? f : null,
                "an event arrived with nothing requested");
        s.in.clear(); // keepalives are not sent while nothing is requested; drop anything else
        s.more(200); // capped at 100
        assertEquals(3, s.events(3).size());
        assertEquals(6, pubsub.delivered(LEADS));
        assertEquals(2, pubsub.fetchRequests());
    }

    @Test
    void customResumesAfterAReplayIdAndAnExpiredOneFailsWithSalesforcesCode() throws Exception {
        crm.insert(ObjectType.LEAD, lead("A"));
        crm.insert(ObjectType.LEAD, lead("B"));
        Channel ch = channel();
        Sub first = Sub.open(ch);
        first.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 1);
        ByteString afterA = first.events(1).get(0).getReplayId();
        first.out.onCompleted();

        Sub resumed = Sub.open(ch);
        resumed.fetch(LEADS, ReplayPreset.CUSTOM, afterA, 10);
        ConsumerEvent b = resumed.events(1).get(0);
        assertEquals("B", decode(ch, b).values().get("LastName"));

        clock.advance(Duration.ofHours(73));
        crm.insert(ObjectType.LEAD, lead("C"));  // publishing prunes nothing; subscribing does
        Sub stale = Sub.open(ch);
        stale.fetch(LEADS, ReplayPreset.CUSTOM, afterA, 10);
        StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, stale.next());
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
        assertEquals(FakePubSubServer.REPLAY_ID_CORRUPTED, e.getTrailers().get(FakePubSubServer.ERROR_CODE));

        Sub earliest = Sub.open(ch);
        earliest.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 10);
        assertEquals("C", decode(ch, earliest.events(1).get(0)).values().get("LastName"));
    }

    @Test
    void refusedCredentialsAreUnauthenticatedWithTheAuthErrorCode() throws Exception {
        Sub s = Sub.open(channel("not-a-token"));
        s.fetch(LEADS, ReplayPreset.LATEST, ByteString.EMPTY, 1);
        StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, s.next());
        assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
        assertEquals(FakePubSubServer.AUTH_ERROR, e.getTrailers().get(FakePubSubServer.ERROR_CODE));

        pubsub.refuseAuth(true);
        StatusRuntimeException unary = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                channel(), PubSubMethods.GET_TOPIC, CallOptions.DEFAULT, TopicRequest.newBuilder().setTopicName(LEADS).build()));
        assertEquals(Status.Code.UNAUTHENTICATED, unary.getStatus().getCode());
    }

    @Test
    void topicsSchemasAndTopicsNotSelectedForCdc() {
        TopicInfo t = ClientCalls.blockingUnaryCall(channel(), PubSubMethods.GET_TOPIC, CallOptions.DEFAULT,
                TopicRequest.newBuilder().setTopicName(LEADS).build());
        assertTrue(t.getCanSubscribe());
        assertEquals(salesforce.orgId(), t.getTenantGuid());
        assertTrue(ClientCalls.blockingUnaryCall(channel(), PubSubMethods.GET_SCHEMA, CallOptions.DEFAULT,
                SchemaRequest.newBuilder().setSchemaId(t.getSchemaId()).build()).getSchemaJson().contains("LeadChangeEvent"));

        pubsub.disableCdc(ObjectType.LEAD);
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> ClientCalls.blockingUnaryCall(
                channel(), PubSubMethods.GET_TOPIC, CallOptions.DEFAULT, TopicRequest.newBuilder().setTopicName(LEADS).build()));
        assertEquals(FakePubSubServer.TOPIC_NOT_FOUND, e.getTrailers().get(FakePubSubServer.ERROR_CODE));
        crm.insert(ObjectType.LEAD, lead("X"));
        assertEquals(0, pubsub.published(LEADS));
    }

    @Test
    void gapOverflowDuplicatesAndDroppedStreams() throws Exception {
        Channel ch = channel();
        Sub s = Sub.open(ch);
        s.fetch(LEADS, ReplayPreset.LATEST, ByteString.EMPTY, 10);
        awaitOpen(1);
        CrmId id = crm.insert(ObjectType.LEAD, lead("G"));
        s.events(1);
        pubsub.emitGap(ObjectType.LEAD, ChangeType.GAP_UPDATE, List.of(id));
        pubsub.emitOverflow(ObjectType.LEAD);
        List<ConsumerEvent> two = s.events(2);
        ChangeEvent gap = decode(ch, two.get(0));
        assertEquals(ChangeType.GAP_UPDATE, gap.changeType());
        assertEquals(List.of(id.value()), gap.recordIds());
        assertEquals(Map.of(), gap.values());
        ChangeEvent overflow = decode(ch, two.get(1));
        assertEquals(ChangeType.GAP_OVERFLOW, overflow.changeType());
        assertEquals(List.of(), overflow.recordIds());

        pubsub.duplicateNext(1);
        crm.update(ObjectType.LEAD, id, Map.of("Company", FieldValue.text("Dup")));
        List<ConsumerEvent> dup = s.events(2);
        assertEquals(dup.get(0), dup.get(1));

        pubsub.dropStreams();
        Object end;
        do {
            end = s.next();
        } while (end instanceof FetchResponse);
        StatusRuntimeException e = assertInstanceOf(StatusRuntimeException.class, end);
        assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
        assertEquals(0, pubsub.openStreams());
    }

    @Test
    void anIdleStreamGetsKeepalivesWithTheLatestReplayId() throws Exception {
        crm.insert(ObjectType.LEAD, lead("K"));
        Sub s = Sub.open(channel());
        s.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 5);
        ByteString last = s.events(1).get(0).getReplayId();
        FetchResponse keepalive = assertInstanceOf(FetchResponse.class, s.next());
        assertEquals(0, keepalive.getEventsCount());
        assertEquals(last, keepalive.getLatestReplayId());
        assertEquals(4, keepalive.getPendingNumRequested());
    }

    @Test
    void theSameOverARealLoopbackSocket() throws Exception {
        crm.insert(ObjectType.LEAD, lead("Socket"));
        ManagedChannel raw = NettyChannelBuilder.forAddress("127.0.0.1", pubsub.port()).usePlaintext().build();
        channels.add(raw);
        Channel ch = authed(raw, FakeSalesforceServer.DEFAULT_ACCESS_TOKEN);
        Sub s = Sub.open(ch);
        s.fetch(LEADS, ReplayPreset.EARLIEST, ByteString.EMPTY, 5);
        assertEquals("Socket", decode(ch, s.events(1).get(0)).values().get("LastName"));
    }

    private void awaitOpen(int streams) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (pubsub.openStreams() < streams || pubsub.fetchRequests() < streams) {
            assertTrue(System.nanoTime() < deadline, "the stream did not open");
            Thread.onSpinWait();
        }
    }
}
