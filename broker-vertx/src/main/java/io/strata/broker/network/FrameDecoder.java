package io.strata.broker.network;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Splits a TCP byte stream into Kafka request frames. On the wire every request is
 * <pre>
 *   +----------------------+---------------------------------------+
 *   | size: int32 (BE)     | size bytes: request header + body     |
 *   +----------------------+---------------------------------------+
 *   e.g. 00 00 00 0e | 00 12 00 00 00 00 00 07 00 04 61 62 63 64   (ApiVersions v0, correlation 7, client "abcd")
 * </pre>
 * The decoder hands each body (without the size prefix) to the frame handler as a read-only-by-convention
 * {@link ByteBuffer} positioned at the first header byte and limited to exactly {@code size} bytes.
 *
 * <p>The announced size is checked against {@code maxFrameBytes} as soon as its four bytes are known, before
 * any byte of the body is kept: a negative or too large size raises {@link InvalidFrameSizeException} and the
 * decoder refuses every later input. Memory held for a partial frame grows only with the bytes actually
 * received: chunks are kept as views, and copied once into an array of exactly {@code size} bytes when the
 * frame is complete. A frame contained in a single chunk is handed out as a view of that chunk without
 * copying, so the caller must not reuse chunk memory after {@link #feed} (Vert.x hands out fresh heap
 * buffers, which is fine).
 *
 * <p>Not thread-safe: one instance per connection, used from the connection's event loop only.
 */
public final class FrameDecoder {
    private static final Logger LOGGER = LoggerFactory.getLogger(FrameDecoder.class);

    private static final int SIZE_BYTES = Integer.BYTES;

    private final int maxFrameBytes;
    private final Consumer<ByteBuffer> frameHandler;

    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(SIZE_BYTES);
    /** Size of the frame being read, or -1 while reading the size prefix. */
    private int frameSize = -1;
    private final ArrayDeque<ByteBuffer> pending = new ArrayDeque<>();
    private int pendingBytes;
    private boolean failed;

    /**
     * @param maxFrameBytes the largest body accepted ({@code socket.request.max.bytes})
     * @param frameHandler receives each complete frame body, in order
     */
    public FrameDecoder(int maxFrameBytes, Consumer<ByteBuffer> frameHandler) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes must be >= 0: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.frameHandler = Objects.requireNonNull(frameHandler, "frameHandler");
    }

    /**
     * Consumes all remaining bytes of {@code chunk}, calling the frame handler once per completed frame.
     *
     * @throws InvalidFrameSizeException when a size prefix is out of range; the decoder is then failed
     * @throws IllegalStateException when called again after a failure
     */
    public void feed(ByteBuffer chunk) {
        if (failed) {
            throw new IllegalStateException("FrameDecoder already failed on an invalid frame size");
        }
        while (chunk.hasRemaining()) {
            if (frameSize < 0) {
                readSize(chunk);
            } else {
                readBody(chunk);
            }
        }
    }

    /** Bytes of the current partial frame held in memory (excluding the size prefix). */
    public int bufferedBytes() {
        return pendingBytes;
    }

    private void readSize(ByteBuffer chunk) {
        if (sizeBuffer.position() == 0 && chunk.remaining() >= SIZE_BYTES) {
            startFrame(chunk.getInt());
            return;
        }
        while (sizeBuffer.hasRemaining() && chunk.hasRemaining()) {
            sizeBuffer.put(chunk.get());
        }
        if (!sizeBuffer.hasRemaining()) {
            sizeBuffer.flip();
            int size = sizeBuffer.getInt();
            sizeBuffer.clear();
            startFrame(size);
        }
    }

    private void startFrame(int size) {
        if (size < 0 || size > maxFrameBytes) {
            failed = true;
            LOGGER.debug("Refusing frame of {} bytes (max {})", size, maxFrameBytes);
            throw new InvalidFrameSizeException(size, maxFrameBytes);
        }
        frameSize = size;
        if (size == 0) {
            completeFrame(ByteBuffer.allocate(0));
        }
    }

    private void readBody(ByteBuffer chunk) {
        int missing = frameSize - pendingBytes;
        int take = Math.min(missing, chunk.remaining());
        ByteBuffer part = chunk.slice();
        part.limit(take);
        chunk.position(chunk.position() + take);
        if (take == frameSize) {
            completeFrame(part);
            return;
        }
        pending.add(part);
        pendingBytes += take;
        if (pendingBytes == frameSize) {
            ByteBuffer frame = ByteBuffer.allocate(frameSize);
            for (ByteBuffer piece : pending) {
                frame.put(piece);
            }
            frame.flip();
            completeFrame(frame);
        }
    }

    private void completeFrame(ByteBuffer frame) {
        pending.clear();
        pendingBytes = 0;
        frameSize = -1;
        frameHandler.accept(frame);
    }
}
