package io.strata.broker.network;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.RequestHeader;

/** Builds request frames the way a Kafka client does, for tests. */
public final class WireFormat {

    private WireFormat() {
    }

    public static RequestHeader header(ApiKeys apiKey, short version, int correlationId) {
        return new RequestHeader(apiKey, version, "test-client", correlationId);
    }

    /** Header and body of {@code request}, without the size prefix. */
    public static ByteBuffer frame(AbstractRequest request, int correlationId) {
        return request.serializeWithHeader(header(request.apiKey(), request.version(), correlationId));
    }

    /** A request header for any (even unknown) key and version, followed by {@code body}; no size prefix. */
    public static ByteBuffer rawFrame(short apiKey, short version, short headerVersion, int correlationId, byte[] body) {
        RequestHeaderData header = new RequestHeaderData()
                .setRequestApiKey(apiKey)
                .setRequestApiVersion(version)
                .setCorrelationId(correlationId)
                .setClientId("test-client");
        return concat(serialize(header, headerVersion), ByteBuffer.wrap(body));
    }

    public static ByteBuffer serialize(ApiMessage message, short version) {
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        message.addSize(size, cache, version);
        ByteBuffer buffer = ByteBuffer.allocate(size.totalSize());
        message.write(new ByteBufferAccessor(buffer), cache, version);
        return buffer.flip();
    }

    /** The frame with its 4-byte size prefix, as sent on the wire. */
    public static byte[] withSizePrefix(ByteBuffer frame) {
        ByteBuffer wire = ByteBuffer.allocate(4 + frame.remaining());
        wire.putInt(frame.remaining()).put(frame.duplicate());
        return wire.array();
    }

    public static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer part : parts) {
            size += part.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer part : parts) {
            all.put(part.duplicate());
        }
        return all.flip();
    }
}
