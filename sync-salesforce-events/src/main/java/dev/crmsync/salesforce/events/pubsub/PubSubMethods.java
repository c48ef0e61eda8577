package dev.crmsync.salesforce.events.pubsub;

import io.grpc.MethodDescriptor;
import io.grpc.MethodDescriptor.MethodType;
import io.grpc.ServiceDescriptor;
import io.grpc.protobuf.ProtoUtils;

/**
 * The gRPC methods of Salesforce's {@code eventbus.v1.PubSub} service that this client uses, bound by hand
 * (what {@code protoc-gen-grpc-java} would generate for them): the full method names are the wire contract
 * ({@code eventbus.v1.PubSub/Subscribe}, …) and the messages are protobuf-encoded.
 *
 * <p>A client calls them with {@link io.grpc.stub.ClientCalls} on a channel; a server binds them with
 * {@link io.grpc.ServerServiceDefinition#builder(ServiceDescriptor)} and {@link io.grpc.stub.ServerCalls}.
 */
public final class PubSubMethods {

    /** The service's full name, as in {@code pubsub_api.proto}. */
    public static final String SERVICE_NAME = "eventbus.v1.PubSub";

    /** {@code Subscribe}: a bidirectional stream of {@link FetchRequest}s (pull flow control) and {@link FetchResponse}s. */
    public static final MethodDescriptor<FetchRequest, FetchResponse> SUBSCRIBE =
            MethodDescriptor.<FetchRequest, FetchResponse>newBuilder()
                    .setType(MethodType.BIDI_STREAMING)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "Subscribe"))
                    .setRequestMarshaller(ProtoUtils.marshaller(FetchRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(FetchResponse.getDefaultInstance()))
                    .build();

    /** {@code GetSchema}: the Avro schema (JSON) of a schema id. */
    public static final MethodDescriptor<SchemaRequest, SchemaInfo> GET_SCHEMA =
            MethodDescriptor.<SchemaRequest, SchemaInfo>newBuilder()
                    .setType(MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "GetSchema"))
                    .setRequestMarshaller(ProtoUtils.marshaller(SchemaRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(SchemaInfo.getDefaultInstance()))
                    .setIdempotent(true)
                    .build();

    /** {@code GetTopic}: whether a topic exists and may be subscribed to, and its current schema id. */
    public static final MethodDescriptor<TopicRequest, TopicInfo> GET_TOPIC =
            MethodDescriptor.<TopicRequest, TopicInfo>newBuilder()
                    .setType(MethodType.UNARY)
                    .setFullMethodName(MethodDescriptor.generateFullMethodName(SERVICE_NAME, "GetTopic"))
                    .setRequestMarshaller(ProtoUtils.marshaller(TopicRequest.getDefaultInstance()))
                    .setResponseMarshaller(ProtoUtils.marshaller(TopicInfo.getDefaultInstance()))
                    .setIdempotent(true)
                    .build();

    /** The service with the three methods, for a server's {@code ServerServiceDefinition.builder(…)}. */
    public static final ServiceDescriptor SERVICE = ServiceDescriptor.newBuilder(SERVICE_NAME)
            .addMethod(SUBSCRIBE)
            .addMethod(GET_SCHEMA)
            .addMethod(GET_TOPIC)
            .build();

    /** The metadata headers a Salesforce Pub/Sub call authenticates with (Salesforce's names). */
    public static final String ACCESS_TOKEN_HEADER = "accesstoken";
    /** The org's instance URL, e.g. {@code https://mydomain.my.salesforce.com}. */
    public static final String INSTANCE_URL_HEADER = "instanceurl";
    /** The org's id (18 characters). */
    public static final String TENANT_ID_HEADER = "tenantid";

    private PubSubMethods() {
    }
}
