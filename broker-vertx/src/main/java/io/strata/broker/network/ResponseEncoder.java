package io.strata.broker.network;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.requests.ResponseHeader;
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
 * The frame is built by kafka-clients' {@link SendBuilder}, which writes the fields into one buffer
 * and refers to the record sets of Fetch responses instead of copying them; {@link #encodeFrame}
 * collects those references, in order: in-memory record sets as their buffers, record sets of
 * segment files as file ranges that the connection sends with sendfile.
 *
 * <p>Thread-safe: stateless.
 */
public final class ResponseEncoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(ResponseEncoder.class);

    private ResponseEncoder() {
    }

    /**
     * The frame as parts to write in order: the size prefix, header and fields, each in-memory record
     * set as its own buffer, and each record set still in a segment file as a {@link ResponseFrame.FileSlice}.
     *
     * @param correlationId the request's correlation id
     * @param apiKey the request's API
     * @param version the version to encode the body at (the request's version; 0 for an unserved ApiVersions)
     * @param body the response body
     * @throws org.apache.kafka.common.errors.UnsupportedVersionException when the body holds a field that
     *     {@code version} cannot carry
     */
    static ResponseFrame encodeFrame(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
        if (body.apiKey() != apiKey.id) {
            throw new IllegalArgumentException("Body " + body.getClass().getSimpleName() + " is not a " + apiKey + " response");
        }
        ResponseHeader header = new ResponseHeader(correlationId, apiKey.responseHeaderVersion(version));
        Send send = SendBuilder.buildResponseSend(header, body, version);
        CollectingChannel channel = new CollectingChannel();
        try {
            while (!send.completed()) {
                send.writeTo(channel);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot collect the " + apiKey + " response", e);
        }
        ByteBuffer first = (ByteBuffer) channel.parts.get(0);
        int frameSize = first.getInt(first.position());
        if (channel.bytes != Integer.BYTES + (long) frameSize) {
            // Sizing and writing disagree: a kafka-clients bug, never silently send a short frame.
            throw new IllegalStateException("Encoded " + channel.bytes + " bytes of " + apiKey + " v" + version
                    + " response but sized " + (Integer.BYTES + frameSize));
        }
        LOGGER.trace("Encoded {} v{} response, correlation id {}, {} bytes", apiKey, version, correlationId, frameSize);
        return new ResponseFrame(channel.parts, channel.bytes);
    }

    /** {@link #encodeFrame} in one buffer, positioned at 0 (for tests and small frames). */
    public static ByteBuffer encode(int correlationId, ApiKeys apiKey, short version, ApiMessage body) {
        return encodeFrame(correlationId, apiKey, version, body).toByteBuffer();
    }

    /** Takes what a {@link Send} writes as references to its buffers and file ranges (no copy). */
    private static final class CollectingChannel implements TransferableChannel {
        final List<Object> parts = new ArrayList<>();
        long bytes;

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) {
            long written = 0;
            for (int i = offset; i < offset + length; i++) {
                written += write(srcs[i]);
            }
            return written;
        }

        @Override
        public long write(ByteBuffer[] srcs) {
            return write(srcs, 0, srcs.length);
        }

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            if (n > 0) {
                parts.add(src.slice());
                src.position(src.limit());
                bytes += n;
            }
            return n;
        }

        @Override
        public boolean hasPendingWrites() {
            return false;
        }

        @Override
        public long transferFrom(FileChannel fileChannel, long position, long count) {
            parts.add(new ResponseFrame.FileSlice(fileChannel, position, count));
            bytes += count;
            return count;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }
}
