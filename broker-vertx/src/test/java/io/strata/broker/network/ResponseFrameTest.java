package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResponseFrameTest {

    private static ByteBuffer heap(String text) {
        return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
    }

    private static ByteBuffer direct(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
    }

    private static String text(Object message) {
        ByteBuf buf = (ByteBuf) message;
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    @Test
    void directBuffersAreNeverWrappedWithHeapBuffersSoNettyDoesNotCopyThem() {
        ResponseFrame frame = new ResponseFrame(
                List.of(heap("size"), heap("header"), direct("records-from-bucket"), heap("tail")), 31);

        List<Object> messages = frame.toNettyMessages();

        assertThat(messages).hasSize(3);
        assertThat(((ByteBuf) messages.get(0)).isDirect()).isFalse();
        assertThat(((ByteBuf) messages.get(1)).isDirect()).isTrue();
        assertThat(messages.stream().map(ResponseFrameTest::text).toList())
                .containsExactly("sizeheader", "records-from-bucket", "tail");
    }

    @Test
    void adjacentHeapBuffersBecomeOneMessage() {
        ResponseFrame frame = new ResponseFrame(List.of(heap("a"), heap("b"), heap("c")), 3);

        assertThat(frame.toNettyMessages().stream().map(ResponseFrameTest::text).toList()).containsExactly("abc");
    }
}
