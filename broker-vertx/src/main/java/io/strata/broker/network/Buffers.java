package io.strata.broker.network;

import io.netty.buffer.Unpooled;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.nio.ByteBuffer;

/**
 * Zero-copy conversions between Vert.x {@link Buffer}s and NIO {@link ByteBuffer}s. Vert.x hands sockets'
 * data over as unpooled heap buffers that the receiver may keep, so viewing them is safe; this relies on
 * Vert.x's {@code BufferInternal}, with a copying fallback for any other implementation.
 *
 * <p>Thread-safe: stateless.
 */
final class Buffers {

    private Buffers() {
    }

    /** A view of the buffer's readable bytes (a copy only when the buffer is not a Vert.x internal buffer). */
    static ByteBuffer asByteBuffer(Buffer buffer) {
        if (buffer instanceof BufferInternal internal) {
            return internal.getByteBuf().nioBuffer();
        }
        return ByteBuffer.wrap(buffer.getBytes());
    }

    /** Wraps the readable bytes of the buffers, in order, without copying; the caller must not modify them afterwards. */
    static Buffer wrap(ByteBuffer... byteBuffers) {
        return BufferInternal.buffer(Unpooled.wrappedBuffer(byteBuffers));
    }
}
