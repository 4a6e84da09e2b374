package io.strata.broker.network;

import java.nio.ByteBuffer;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.MessageSizeAccumulator;
import org.apache.kafka.common.protocol.ObjectSerializationCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Encodes a response frame with kafka-clients' generated classes:
 * <pre>
 *   +-------------------+------------------------------------------+------------------------------+
 *   | size: int32 (BE)  | ResponseHeaderData at header version h   | body ApiMessage at version v |
 *   +-------------------+------------------------------------------+------------------------------+
 *   h = apiKey.responseHeaderVersion(v): 0 = correlation id; 1 = correlation id + tagged fields.
 *   ApiVersions always uses h = 0 (KIP-511), which ApiKeys already reports.
 * </pre>
 * Header and body are sized first with one {@link ObjectSerializationCache} (which then spares the write from
 * re-encoding strings), a buffer of exactly {@code 4 + size} bytes is allocated, and both are written with a
 * {@link ByteBufferAccessor}. kafka-clients' own {@code AbstractResponse.serializeWithHeader} is
 * package-private, hence this class.
 *
 * <p>Thread-safe: stateless.
 */
public final class ResponseEncoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(ResponseEncoder.class);

    private ResponseEncoder() {
    }

    /**
     * @param correlationId the request's correlation id
     * @param apiKey the request's API
     * @param version the version to encode the body at (the request's version; 0 for an unserved ApiVersions)
     * @param body the response body
     * @return a buffer positioned at 0 holding the size prefix, header and body, flipped for reading
     * @throws org.apache.kafka.common.errors.UnsupportedVersionException when the body holds a field that
     *     {@code version} cannot carry
     */
    public static ByteBuffer encode(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
        if (body.apiKey() != apiKey.id) {
            throw new IllegalArgumentException("Body " + body.getClass().getSimpleName() + " is not a " + apiKey + " response");
        }
        short headerVersion = apiKey.responseHeaderVersion(version);
        ResponseHeaderData header = new ResponseHeaderData().setCorrelationId(correlationId);
        ObjectSerializationCache cache = new ObjectSerializationCache();
        MessageSizeAccumulator size = new MessageSizeAccumulator();
        header.addSize(size, cache, headerVersion);
        body.addSize(size, cache, version);
        int frameSize = size.totalSize();
        ByteBuffer buffer = ByteBuffer.allocate(Integer.BYTES + frameSize);
        ByteBufferAccessor writer = new ByteBufferAccessor(buffer);
        writer.writeInt(frameSize);
        header.write(writer, cache, headerVersion);
        body.write(writer, cache, version);
        if (buffer.hasRemaining()) {
            // Sizing and writing disagree: a kafka-clients bug, never silently send a short frame.
            throw new IllegalStateException("Encoded " + buffer.position() + " bytes of " + apiKey + " v" + version
                    + " response but sized " + (Integer.BYTES + frameSize));
        }
        buffer.flip();
        LOGGER.trace("Encoded {} v{} response, correlation id {}, {} bytes", apiKey, version, correlationId, frameSize);
        return buffer;
    }
}
