package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FrameDecoderTest {

    private final List<String> frames = new ArrayList<>();
    private final FrameDecoder decoder = new FrameDecoder(1024, frame -> frames.add(StandardCharsets.UTF_8.decode(frame).toString()));

    @Test
    void oversizedSizeIsRefusedFromTheSizePrefixAlone() {
        // Given only the four size bytes announcing one byte more than allowed
        ByteBuffer header = ByteBuffer.allocate(4).putInt(1025).flip();

        // When / Then: refused at once, nothing buffered
        assertThatThrownBy(() -> decoder.feed(header))
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
        FrameDecoder permissive = new FrameDecoder(Integer.MAX_VALUE - 1, frame -> frames.add("unexpected"));

        assertThatThrownBy(() -> permissive.feed(ByteBuffer.allocate(4).putInt(Integer.MAX_VALUE).flip()))
                .isInstanceOf(InvalidFrameSizeException.class);
    }

    @Test
    void negativeSizeIsRefused() {
        assertThatThrownBy(() -> decoder.feed(ByteBuffer.allocate(4).putInt(-1).flip()))
                .isInstanceOfSatisfying(InvalidFrameSizeException.class, e -> assertThat(e.size()).isEqualTo(-1));
    }

    @Test
    void decoderRefusesInputAfterFailure() {
        assertThatThrownBy(() -> decoder.feed(ByteBuffer.allocate(4).putInt(-1).flip()))
                .isInstanceOf(InvalidFrameSizeException.class);

        assertThatThrownBy(() -> decoder.feed(frame("abc")))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void frameSplitAcrossManyBuffersIsReassembled() {
        // Given two frames cut into one-byte chunks
        ByteBuffer wire = concat(frame("hello"), frame("kafka"));

        // When
        while (wire.hasRemaining()) {
            decoder.feed(ByteBuffer.wrap(new byte[] {wire.get()}));
        }

        // Then
        assertThat(frames).containsExactly("hello", "kafka");
        assertThat(decoder.bufferedBytes()).isZero();
    }

    @Test
    void sizePrefixSplitMidwayIsReassembled() {
        ByteBuffer wire = frame("split");
        decoder.feed(slice(wire, 0, 2));
        decoder.feed(slice(wire, 2, 5));

        assertThat(frames).isEmpty();
        assertThat(decoder.bufferedBytes()).isEqualTo(1);

        decoder.feed(slice(wire, 5, wire.limit()));
        assertThat(frames).containsExactly("split");
    }

    @Test
    void severalFramesInOneBufferAreAllDelivered() {
        decoder.feed(concat(frame("one"), frame("two"), frame("three")));

        assertThat(frames).containsExactly("one", "two", "three");
    }

    @Test
    void frameEndingMidBufferKeepsTheRestForTheNextFrame() {
        ByteBuffer wire = concat(frame("first"), frame("second"));
        int cut = 4 + 5 + 6; // first frame plus the size and two bytes of the second

        decoder.feed(slice(wire, 0, cut));
        assertThat(frames).containsExactly("first");

        decoder.feed(slice(wire, cut, wire.limit()));
        assertThat(frames).containsExactly("first", "second");
    }

    @Test
    void emptyFrameIsDelivered() {
        decoder.feed(ByteBuffer.allocate(4).putInt(0).flip());

        assertThat(frames).containsExactly("");
    }

    @Test
    void frameOfExactlyTheMaximumSizeIsAccepted() {
        decoder.feed(frame("x".repeat(1024)));

        assertThat(frames).hasSize(1);
        assertThat(frames.get(0)).hasSize(1024);
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
