package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private final RecordingAllocator allocator = new RecordingAllocator();
    private final List<String> frames = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder(1024, allocator, this::receive);

    private void receive(ByteBuf frame) {
        frames.add(frame.toString(StandardCharsets.UTF_8));
        frame.release();
    }

    @AfterEach
    void everyFrameBufferIsReleased() {
        decoder.close();
        assertThat(allocator.allocated).allSatisfy(buffer -> assertThat(buffer.refCnt()).isZero());
    }

    @Test
    void oversizedSizeIsRefusedFromTheSizePrefixAlone() {
        // Given only the four size bytes announcing one byte more than allowed
        ByteBuffer header = ByteBuffer.allocate(4).putInt(1025).flip();

        // When / Then: refused at once, nothing buffered
        assertThatThrownBy(() -> feed(decoder, header))
                .isInstanceOfSatisfying(InvalidFrameSizeException.class, e -> {
                    assertThat(e.size()).isEqualTo(1025);
                    assertThat(e.maxSize()).isEqualTo(1024);
                });
        assertThat(decoder.bufferedBytes()).isZero();
        assertThat(frames).isEmpty();
    }

    @Test
    void hugeSizeIsRefusedWithoutAllocating() {
        // Integer.MAX_VALUE could not even be allocated on this heap: refusing proves no allocation happened.
        FrameDecoder permissive = new FrameDecoder(Integer.MAX_VALUE - 1, allocator, frame -> frames.add("unexpected"));

        assertThatThrownBy(() -> feed(permissive, ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip()))
                .isInstanceOf(InvalidFrameSizeException.class);
    }

    @Test
    void negativeSizeIsRefused() {
        assertThatThrownBy(() -> feed(decoder, ByteBuffer.allocate(4).putInt(-1).flip()))
                .isInstanceOfSatisfying(InvalidFrameSizeException.class, e -> assertThat(e.size()).isEqualTo(-1));
    }

    @Test
    void decoderRefusesInputAfterFailure() {
        assertThatThrownBy(() -> feed(decoder, ByteBuffer.allocate(4).putInt(-1).flip()))
                .isInstanceOf(InvalidFrameSizeException.class);

        assertThatThrownBy(() -> feed(decoder, frame("abc")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void frameSplitAcrossManyBuffersIsReassembled() {
        // Given two frames cut into one-byte chunks
        ByteBuffer wire = concat(frame("hello"), frame("kafka"));

        // When
        while (wire.hasRemaining()) {
            feed(decoder, ByteBuffer.wrap(new byte[] {wire.get()}));
        }

        // Then
        assertThat(frames).containsExactly("hello", "kafka");
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void sizePrefixSplitMidwayIsReassembled() {
        ByteBuffer wire = frame("split");
        feed(decoder, slice(wire, 0, 2));
        feed(decoder, slice(wire, 2, 5));

        assertThat(frames).isEmpty();
        assertThat(decoder.bufferedBytes()).isEqualTo(1);

        feed(decoder, slice(wire, 5, wire.limit()));
        assertThat(frames).containsExactly("split");
    }

    @Test
    void severalFramesInOneBufferAreAllDelivered() {
        feed(decoder, concat(frame("one"), frame("two"), frame("three")));

        assertThat(frames).containsExactly("one", "two", "three");
    }

    @Test
    void frameEndingMidBufferKeepsTheRestForTheNextFrame() {
        ByteBuffer wire = concat(frame("first"), frame("second"));
        int cut = 4 + 5 + 6; // first frame plus the size and two bytes of the second

        feed(decoder, slice(wire, 0, cut));
        assertThat(frames).containsExactly("first");

        feed(decoder, slice(wire, cut, wire.limit()));
        assertThat(frames).containsExactly("first", "second");
    }

    @Test
    void emptyFrameIsDelivered() {
        feed(decoder, ByteBuffer.allocate(4).putInt(0).flip());

        assertThat(frames).containsExactly("");
    }

    @Test
    void frameOfExactlyTheMaximumSizeIsAccepted() {
        feed(decoder, frame("x".repeat(1024)));

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).hasSize(1024);
    }

    @Test
    void frameIsOneBufferOfExactlyItsSizeAndTheChunkStaysTheCallers() {
        // Given a frame cut into two chunks
        ByteBuf first = Unpooled.wrappedBuffer(slice(frame("hello"), 0, 6));
        ByteBuf second = Unpooled.wrappedBuffer(slice(frame("hello"), 6, 9));

        // When
        decoder.feed(first);
        decoder.feed(second);

        // Then: one allocation of the frame's size; the chunks are consumed but not released
        assertThat(frames).containsExactly("hello");
        assertThat(allocator.allocated).hasSize(1);
        assertThat(allocator.allocated.get(0).capacity()).isEqualTo(5);
        assertThat(first.refCnt()).isEqualTo(1);
        assertThat(second.refCnt()).isEqualTo(1);
        assertThat(first.isReadable()).isFalse();
        assertThat(second.isReadable()).isFalse();
    }

    @Test
    void announcedFrameHoldsNothingUntilItsBytesArriveThenLittleMoreThanWhatArrived() {
        // Given a decoder allowing 64 MiB frames and a client that announces one
        FrameDecoder large = new FrameDecoder(64 * 1024 * 1024, allocator, this::receive);
        feed(large, ByteBuffer.allocate(4).putInt(64 * 1024 * 1024).flip());

        // Then nothing is allocated for it yet
        assertThat(allocator.allocated).isEmpty();

        // When it sends 3 bytes of the body
        feed(large, ByteBuffer.wrap(new byte[] {1, 2, 3}));

        // Then the frame holds a small buffer, not its announced size
        assertThat(large.bufferedBytes()).isEqualTo(3);
        assertThat(allocator.allocated).hasSize(1);
        assertThat(allocator.allocated.get(0).capacity()).isEqualTo(FrameDecoder.INITIAL_FRAME_BYTES);

        // When the connection closes, the partial frame is released (checked after each test)
        large.close();
        assertThat(large.bufferedBytes()).isZero();
        assertThatThrownBy(() -> feed(large, frame("late"))).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void frameLargerThanTheInitialBufferGrowsToItsSize() {
        int size = 1024 * 1024 + 10;
        FrameDecoder large = new FrameDecoder(size, allocator, this::receive);
        ByteBuffer wire = ByteBuffer.allocate(4 + size).putInt(size).put(new byte[size]).flip();
        for (int offset = 0; offset < wire.limit(); offset += 65_536) {
            feed(large, slice(wire, offset, Math.min(wire.limit(), offset + 65_536)));
        }

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).hasSize(size);
    }

    @Test
    void frameHandlerThatClosesTheDecoderStopsTheRestOfTheChunk() {
        // Given a handler that closes the decoder on the first frame (a rejected request closes the connection)
        List<String> seen = new ArrayList<>();
        FrameDecoder[] holder = new FrameDecoder[1];
        holder[0] = new FrameDecoder(1024, allocator, frame -> {
            seen.add(frame.toString(StandardCharsets.UTF_8));
            frame.release();
            holder[0].close();
        });

        // When two frames and part of a third arrive together
        feed(holder[0], concat(frame("bad"), frame("next"), slice(frame("partial"), 0, 6)));

        // Then the rest is ignored and nothing is left allocated
        assertThat(seen).containsExactly("bad");
        assertThat(holder[0].bufferedBytes()).isZero();
    }

    private static void feed(FrameDecoder decoder, ByteBuffer bytes) {
        ByteBuf chunk = Unpooled.wrappedBuffer(bytes);
        try {
            decoder.feed(chunk);
        } finally {
            chunk.release();
        }
    }

    /** Unpooled direct buffers, each one remembered so that a test can check it was released. */
    private static final class RecordingAllocator extends AbstractByteBufAllocator {
        final List<ByteBuf> allocated = new ArrayList<>();

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new UnsupportedOperationException("frames are direct buffers");
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            ByteBuf buffer = UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            allocated.add(buffer);
            return buffer;
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    private static ByteBuffer frame(String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + bytes.length).putInt(bytes.length).put(bytes).flip();
    }

    private static ByteBuffer concat(ByteBuffer... parts) {
        int size = 0;
        for (ByteBuffer part : parts) {
            size += part.remaining();
        }
        ByteBuffer all = ByteBuffer.allocate(size);
        for (ByteBuffer part : parts) {
            all.put(part);
        }
        return all.flip();
    }

    private static ByteBuffer slice(ByteBuffer buffer, int from, int to) {
        return buffer.duplicate().position(from).limit(to).slice();
    }
}
