package dev.crmsync.salesforce.events.pubsub;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCalls;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The hand-bound methods carry the generated messages as Salesforce's service does: names and encoding. */
class PubSubMethodsTest {

    @Test
    void fullMethodNamesAreSalesforces() {
        assertEquals("eventbus.v1.PubSub/Subscribe", PubSubMethods.SUBSCRIBE.getFullMethodName());
        assertEquals("eventbus.v1.PubSub/GetSchema", PubSubMethods.GET_SCHEMA.getFullMethodName());
        assertEquals("eventbus.v1.PubSub/GetTopic", PubSubMethods.GET_TOPIC.getFullMethodName());
        assertEquals(3, PubSubMethods.SERVICE.getMethods().size());
    }

    @Test
    void fetchRequestEncodesWithTheProtoFieldNumbers() throws Exception {
        FetchRequest request = FetchRequest.newBuilder()
                .setTopicName("/data/LeadChangeEvent")
                .setReplayPreset(ReplayPreset.CUSTOM)
                .setReplayId(ByteString.copyFrom(new byte[] {0, 0, 1, 7}))
                .setNumRequested(100)
                .build();
        byte[] wire;
        try (InputStream in = PubSubMethods.SUBSCRIBE.getRequestMarshaller().stream(request)) {
            wire = in.readAllBytes();
        }
        // field 1 (topic_name), length-delimited: tag 0x0a; field 4 (num_requested) varint: tag 0x20, 100
        assertEquals(0x0a, wire[0]);
        assertEquals(0x20, wire[wire.length - 2]);
        assertEquals(100, wire[wire.length - 1]);
        FetchRequest back = PubSubMethods.SUBSCRIBE.parseRequest(new ByteArrayInputStream(wire));
        assertEquals(request, back);
    }

    @Test
    void aUnaryCallRoundTripsInProcess() throws Exception {
        String name = InProcessServerBuilder.generateName();
        ServerServiceDefinition service = ServerServiceDefinition.builder(PubSubMethods.SERVICE)
                .addMethod(PubSubMethods.GET_SCHEMA, ServerCalls.asyncUnaryCall((SchemaRequest req, io.grpc.stub.StreamObserver<SchemaInfo> out) -> {
                    out.onNext(SchemaInfo.newBuilder().setSchemaId(req.getSchemaId()).setSchemaJson("{}").build());
                    out.onCompleted();
                }))
                .addMethod(PubSubMethods.GET_TOPIC, ServerCalls.asyncUnaryCall((TopicRequest req, io.grpc.stub.StreamObserver<TopicInfo> out) -> {
                    out.onNext(TopicInfo.newBuilder().setTopicName(req.getTopicName()).setCanSubscribe(true).build());
                    out.onCompleted();
                }))
                .addMethod(PubSubMethods.SUBSCRIBE, ServerCalls.asyncBidiStreamingCall(out -> new io.grpc.stub.StreamObserver<FetchRequest>() {
                    @Override public void onNext(FetchRequest value) { }
                    @Override public void onError(Throwable t) { }
                    @Override public void onCompleted() { out.onCompleted(); }
                }))
                .build();
        Server server = InProcessServerBuilder.forName(name).directExecutor().addService(service).build().start();
        ManagedChannel channel = InProcessChannelBuilder.forName(name).directExecutor().build();
        try {
            SchemaInfo info = ClientCalls.blockingUnaryCall(channel, PubSubMethods.GET_SCHEMA,
                    io.grpc.CallOptions.DEFAULT, SchemaRequest.newBuilder().setSchemaId("abc").build());
            assertEquals("abc", info.getSchemaId());
            TopicInfo topic = ClientCalls.blockingUnaryCall(channel, PubSubMethods.GET_TOPIC,
                    io.grpc.CallOptions.DEFAULT, TopicRequest.newBuilder().setTopicName("/data/LeadChangeEvent").build());
            assertArrayEquals("/data/LeadChangeEvent".getBytes(java.nio.charset.StandardCharsets.UTF_8),
                    topic.getTopicNameBytes().toByteArray());
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
