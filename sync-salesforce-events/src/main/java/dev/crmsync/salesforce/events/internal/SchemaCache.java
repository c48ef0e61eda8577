package dev.crmsync.salesforce.events.internal;

import dev.crmsync.salesforce.events.ChangeEventDecoder;
import dev.crmsync.salesforce.events.pubsub.PubSubMethods;
import dev.crmsync.salesforce.events.pubsub.SchemaRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Schema id → decoder, fetched with {@code GetSchema} once per id and kept (bounded, least recently used out).
 * Thread-safe; concurrent callers for one id make one call.
 */
public final class SchemaCache {

    private final Channel channel;
    private final CallOptions options;
    private final Map<String, ChangeEventDecoder> decoders;
    private long calls;

    /**
     * @param channel  the channel
     * @param options  call options (credentials)
     * @param capacity how many schemas to keep
     */
    public SchemaCache(Channel channel, CallOptions options, int capacity) {
        this.channel = Objects.requireNonNull(channel, "channel");
        this.options = Objects.requireNonNull(options, "options");
        this.decoders = new LinkedHashMap<>(16, 0.75f, true) {
            private static final long serialVersionUID = 1L;

            @Override
            protected boolean removeEldestEntry(Map.Entry<String, ChangeEventDecoder> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * @param schemaId a schema id from an event
     * @return its decoder
     * @throws io.grpc.StatusRuntimeException if GetSchema fails
     * @throws IllegalArgumentException       if the schema is not a change event schema
     */
    public synchronized ChangeEventDecoder decoder(String schemaId) {
        ChangeEventDecoder d = decoders.get(schemaId);
        if (d == null) {
            calls++;
            String json = ClientCalls.blockingUnaryCall(channel, PubSubMethods.GET_SCHEMA, options,
                    SchemaRequest.newBuilder().setSchemaId(schemaId).build()).getSchemaJson();
            d = ChangeEventDecoder.forSchema(json);
            decoders.put(schemaId, d);
        }
        return d;
    }

    /** @return GetSchema calls made */
    public synchronized long calls() {
        return calls;
    }
}
