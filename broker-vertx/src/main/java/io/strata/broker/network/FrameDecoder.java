package io.strata.broker.network;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.function.BooleanSupplier;
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
 * The decoder hands each body (without the size prefix) to the frame handler as a {@link ByteBuf} of exactly
 * {@code size} readable bytes, which the handler owns: it must {@link ByteBuf#release() release} it once
 * nothing refers to its bytes any more (for Produce, once the append has written them to the segment file).
 *
 * <p>The announced size is checked against {@code maxFrameBytes} as soon as its four bytes are known, before
 * any byte of the body is kept: a negative or too large size raises {@link InvalidFrameSizeException} and the
 * decoder refuses every later input. Each body byte is copied once, from the socket's chunk into the frame, a
 * direct buffer from the allocator (pooled in the broker: no zeroing, and a Produce request's batches reach the
 * segment file's {@code FileChannel.write} without another copy). The frame buffer is allocated only when the
 * first body bytes arrive, with {@code min(size, max(}{@value #INITIAL_FRAME_BYTES}{@code , bytes at hand))}
 * bytes, and grows (doubling, at most to {@code size}) only as more bytes arrive, so a client that announces a
 * large frame and sends nothing holds nothing, and otherwise at most {@value #INITIAL_FRAME_BYTES} bytes or
 * twice what it sent: a few hundred idle sockets that send only a size prefix cost no direct memory.
 *
 * <p>{@link #feed} never keeps a reference to the chunk, so the caller may release it afterwards;
 * {@link #close()} releases a partial frame. Before each frame it asks {@code mayStartFrame}: when that
 * answers false, {@code feed} returns at that frame boundary and leaves the rest of the chunk unread, for the
 * caller to feed again later (back-pressure that stops at exactly the frame the limit is reached on).
 *
 * <p>Not thread-safe: one instance per connection, used from the connection's event loop only.
 */
public final class FrameDecoder implements AutoCloseable {
    private static final Logger LOGGER = LoggerFactory.getLogger(FrameDecoder.class);

    private static final int SIZE_BYTES = Integer.BYTES;
    /** The smallest frame buffer allocated when a frame's first bytes arrive (smaller frames: their size). */
    static final int INITIAL_FRAME_BYTES = 4096;

    private final int maxFrameBytes;
    private final ByteBufAllocator allocator;
    private final Consumer<ByteBuf> frameHandler;
    private final BooleanSupplier mayStartFrame;

    private final ByteBuffer sizeBuffer = ByteBuffer.allocate(SIZE_BYTES);
    /** Size of the frame being read, or -1 while reading the size prefix. */
    private int frameSize = -1;
    /** The body read so far of the frame being read; null until its first byte arrives. */
    private ByteBuf frame;
    private boolean failed;
    private boolean closed;

    /**
     * @param maxFrameBytes the largest body accepted ({@code socket.request.max.bytes})
     * @param allocator where frame buffers come from (the channel's, pooled)
     * @param frameHandler receives each complete frame body, in order, and owns it
     */
    public FrameDecoder(int maxFrameBytes, ByteBufAllocator allocator, Consumer<ByteBuf> frameHandler) {
        this(maxFrameBytes, allocator, frameHandler, () -> true);
    }

    /**
     * As {@link #FrameDecoder(int, ByteBufAllocator, Consumer)}, decoding a next frame only while
     * {@code mayStartFrame} says so.
     */
    public FrameDecoder(int maxFrameBytes, ByteBufAllocator allocator, Consumer<ByteBuf> frameHandler,
                        BooleanSupplier mayStartFrame) {
        if (maxFrameBytes < 0) {
            throw new IllegalArgumentException("maxFrameBytes must be >= 0: " + maxFrameBytes);
        }
        this.maxFrameBytes = maxFrameBytes;
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        this.frameHandler = Objects.requireNonNull(frameHandler, "frameHandler");
        this.mayStartFrame = Objects.requireNonNull(mayStartFrame, "mayStartFrame");
    }

    /**
     * Consumes the readable bytes of {@code chunk}, calling the frame handler once per completed frame, until
     * the chunk is used up, the frame handler {@link #close() closes} the decoder, or {@code mayStartFrame}
     * refuses the next frame (the rest of the chunk then stays readable). The chunk stays the caller's.
     *
     * @throws InvalidFrameSizeException when a size prefix is out of range; the decoder is then failed
     * @throws IllegalStateException when called again after a failure or after {@link #close()}
     */
    public void feed(ByteBuf chunk) {
        if (failed || closed) {
            throw new IllegalStateException(failed ? "FrameDecoder already failed on an invalid frame size"
                    : "FrameDecoder is closed");
        }
        while (chunk.isReadable() && !closed) { // the frame handler may close the decoder
            if (frameSize < 0) {
                if (sizeBuffer.position() == 0 && !mayStartFrame.getAsBoolean()) {
                    return;
                }
                readSize(chunk);
            } else {
                readBody(chunk);
            }
        }
    }

    /** Bytes of the current partial frame held in memory (excluding the size prefix). */
    public int bufferedBytes() {
        return frame == null ? 0 : frame.readableBytes();
    }

    /** Releases the partial frame, if any; later input is refused. */
    @Override
    public void close() {
        closed = true;
        if (frame != null) {
            frame.release();
            frame = null;
        }
    }

    private void readSize(ByteBuf chunk) {
        if (sizeBuffer.position() == 0 && chunk.readableBytes() >= SIZE_BYTES) {
            startFrame(chunk.readInt());
            return;
        }
        while (sizeBuffer.hasRemaining() && chunk.isReadable()) {
            sizeBuffer.put(chunk.readByte());
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
        if (size == 0) {
            frameHandler.accept(Unpooled.EMPTY_BUFFER);
            return;
        }
        frameSize = size;
    }

    private void readBody(ByteBuf chunk) {
        if (frame == null) {
            frame = allocator.directBuffer(Math.min(frameSize, Math.max(INITIAL_FRAME_BYTES, chunk.readableBytes())),
                    frameSize);
        }
        int take = Math.min(frameSize - frame.writerIndex(), chunk.readableBytes());
        frame.writeBytes(chunk, take);
        if (frame.writerIndex() == frameSize) {
            ByteBuf complete = frame;
            frame = null;
            frameSize = -1;
            frameHandler.accept(complete);
        }
    }
}
