package io.strata.broker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.AbstractByteBufAllocator;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.strata.broker.network.DecodedRequest;
import io.strata.broker.network.FrameDecoder;
import io.strata.broker.network.InvalidFrameSizeException;
import io.strata.broker.network.RequestDecoder;
import io.strata.broker.network.WireFormat;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.AbstractRequest;
import org.junit.jupiter.api.AfterAll;

/**
 * Hostile byte streams against the connection's decoding layer: {@link FrameDecoder} (size prefix, framing)
 * and {@link RequestDecoder} (header and body with kafka-clients' generated classes).
 *
 * <p>Run as a JUnit test (regression mode) each target replays its committed inputs under
 * {@code src/test/resources/io/strata/broker/fuzz/FrameDecoderFuzzTestInputs/<method>/}; with
 * {@code JAZZER_FUZZ=1} Jazzer fuzzes one target (see {@code src/test/fuzz/run-fuzz.sh}) and writes any crashing
 * input into that directory, where it becomes a regression input.
 */
class FrameDecoderFuzzTest {
    private static final FuzzInputCounter CHUNKING = new FuzzInputCounter(
            "FrameDecoderFuzzTest#framesReassembleIdenticallyWhateverTheChunking");
    private static final FuzzInputCounter BODIES = new FuzzInputCounter(
            "FrameDecoderFuzzTest#requestBodiesAreDecodedOrRejected");

    /** The APIs kafka-clients can parse (some removed ones have no version left). */
    private static final List<ApiKeys> PARSEABLE = Arrays.stream(ApiKeys.values())
            .filter(key -> key.latestVersion(false) >= key.oldestVersion())
            .toList();
    /** Every API kafka-clients can parse, at every stable version: the widest range the broker could serve. */
    private static final ApiHandlerRegistry EVERY_API = new ApiHandlerRegistry(
            PARSEABLE.stream().map(ParseOnly::new).toList());

    @AfterAll
    static void writeCounts() {
        CHUNKING.write();
        BODIES.write();
    }

    /**
     * Input layout: bytes 0-1 the decoder's {@code maxFrameBytes} (unsigned, 0..65535), bytes 2-9 the seed of the
     * chunking, the rest the byte stream a client sends.
     *
     * <p>Whatever the stream, the decoder must produce exactly the frames a plain reading of the size prefixes
     * gives, in order, whether the stream arrives in one chunk or in random small chunks (split inside size
     * prefixes too); the only exception it may throw is {@link InvalidFrameSizeException}, and only where the
     * plain reading meets a size outside {@code 0..maxFrameBytes}; it never allocates a buffer that can grow past
     * {@code maxFrameBytes}, keeps no reference to the caller's chunks, and releases every buffer it allocated. Every frame then
     * goes through {@link RequestDecoder}, which must decode or reject it, never throw.
     */
    @FuzzTest
    void framesReassembleIdenticallyWhateverTheChunking(byte[] input) {
        CHUNKING.inputStarted();
        if (input.length < 10) {
            return;
        }
        ByteBuffer params = ByteBuffer.wrap(input, 0, 10);
        int maxFrameBytes = Short.toUnsignedInt(params.getShort());
        long chunkSeed = params.getLong();
        byte[] stream = Arrays.copyOfRange(input, 10, input.length);

        Outcome expected = Outcome.plainReading(stream, maxFrameBytes);
        Outcome whole = decode(stream, maxFrameBytes, List.of(stream.length));
        Outcome chunked = decode(stream, maxFrameBytes, chunkLengths(stream.length, new Random(chunkSeed)));

        assertThat(whole).as("decoded in one chunk").isEqualTo(expected);
        assertThat(chunked).as("decoded in small chunks").isEqualTo(expected);
    }

    /**
     * Input layout: bytes 0-1 an API key id, bytes 2-3 a version (both mapped into what kafka-clients knows), the
     * rest the request body after a valid request header. {@link RequestDecoder} must answer with a request or a
     * rejection, never an exception, and a decoded request must be of the header's API and version.
     */
    @FuzzTest
    void requestBodiesAreDecodedOrRejected(byte[] input) {
        BODIES.inputStarted();
        if (input.length < 4) {
            return;
        }
        ByteBuffer params = ByteBuffer.wrap(input, 0, 4);
        ApiKeys apiKey = apiKey(params.getShort());
        short version = version(params.getShort(), apiKey.oldestVersion(), apiKey.latestVersion(false));
        ByteBuffer frame = frame(apiKey, version, Arrays.copyOfRange(input, 4, input.length));

        DecodedRequest decoded = new RequestDecoder(EVERY_API).decode(frame);

        assertThat(decoded).isNotNull();
        if (decoded instanceof DecodedRequest.Request request) {
            assertThat(request.header().apiKey()).isEqualTo(apiKey);
            assertThat(request.request().apiKey()).isEqualTo(apiKey);
            assertThat(request.request().version()).isEqualTo(version);
        }
    }

    /** What came out of the decoder: the frames, then how the stream ended. */
    private record Outcome(List<String> frames, String end, int bufferedBytes) {

        /** The frames a straightforward reading of the size prefixes finds in {@code stream}. */
        static Outcome plainReading(byte[] stream, int maxFrameBytes) {
            List<String> frames = new ArrayList<>();
            ByteBuffer in = ByteBuffer.wrap(stream);
            while (in.remaining() >= Integer.BYTES) {
                int size = in.getInt();
                if (size < 0 || size > maxFrameBytes) {
                    return new Outcome(frames, "refused size " + size, 0);
                }
                if (in.remaining() < size) {
                    return new Outcome(frames, "partial", in.remaining());
                }
                byte[] frame = new byte[size];
                in.get(frame);
                frames.add(ByteBufUtil.hexDump(frame));
            }
            return new Outcome(frames, in.hasRemaining() ? "partial size" : "complete", 0);
        }
    }

    private static Outcome decode(byte[] stream, int maxFrameBytes, List<Integer> chunkLengths) {
        CheckingAllocator allocator = new CheckingAllocator(maxFrameBytes);
        List<String> frames = new ArrayList<>();
        RequestDecoder requestDecoder = new RequestDecoder(EVERY_API);
        FrameDecoder decoder = new FrameDecoder(maxFrameBytes, allocator, frame -> {
            try {
                frames.add(ByteBufUtil.hexDump(frame));
                assertThat(requestDecoder.decode(frame.nioBuffer())).isNotNull();
            } finally {
                frame.release();
            }
        });
        String end = null;
        int position = 0;
        int buffered = 0;
        try {
            for (int length : chunkLengths) {
                ByteBuf chunk = (position & 1) == 0
                        ? Unpooled.wrappedBuffer(stream, position, length)
                        : Unpooled.directBuffer(length).writeBytes(stream, position, length);
                position += length;
                try {
                    decoder.feed(chunk);
                } catch (InvalidFrameSizeException e) {
                    end = "refused size " + e.size();
                    break;
                } finally {
                    assertThat(chunk.refCnt()).as("the decoder keeps no reference to the caller's chunk").isOne();
                    chunk.release();
                }
                allocator.checkHeld();
            }
            if (end == null) {
                buffered = decoder.bufferedBytes();
                end = endOfStream(stream, frames, buffered);
            }
        } finally {
            decoder.close();
        }
        allocator.checkAllReleased();
        return new Outcome(frames, end, buffered);
    }

    /** Names a stream's end as {@link Outcome#plainReading} does, from what the decoder holds. */
    private static String endOfStream(byte[] stream, List<String> frames, int buffered) {
        long consumed = 0;
        for (String frame : frames) {
            consumed += Integer.BYTES + frame.length() / 2;
        }
        long left = stream.length - consumed;
        if (left == 0) {
            return "complete";
        }
        return buffered > 0 || left >= Integer.BYTES ? "partial" : "partial size";
    }

    /** Mostly 1-5 bytes (split inside size prefixes), sometimes larger. */
    private static List<Integer> chunkLengths(int total, Random random) {
        List<Integer> lengths = new ArrayList<>();
        int left = total;
        while (left > 0) {
            int length = random.nextInt(8) == 0 ? 1 + random.nextInt(Math.max(1, left)) : 1 + random.nextInt(5);
            length = Math.min(length, left);
            lengths.add(length);
            left -= length;
        }
        return lengths;
    }

    /** The parseable API with that id, or else one picked by the id. */
    private static ApiKeys apiKey(short id) {
        return PARSEABLE.stream().filter(key -> key.id == id).findFirst()
                .orElseGet(() -> PARSEABLE.get(Math.floorMod(id, PARSEABLE.size())));
    }

    /** {@code wanted} when it is a stable version of the API, or else one picked by it. */
    static short version(short wanted, short oldest, short latest) {
        if (wanted >= oldest && wanted <= latest) {
            return wanted;
        }
        return (short) (oldest + Math.floorMod(wanted, latest - oldest + 1));
    }

    /** A valid request header for {@code apiKey} at {@code version}, followed by {@code body}; no size prefix. */
    static ByteBuffer frame(ApiKeys apiKey, short version, byte[] body) {
        return WireFormat.rawFrame(apiKey.id, version, apiKey.requestHeaderVersion(version), 1, body);
    }

    /** Direct buffers only, each checked against the decoder's limits and kept to check it is released. */
    private static final class CheckingAllocator extends AbstractByteBufAllocator {
        private final int maxFrameBytes;
        private final List<ByteBuf> allocated = new ArrayList<>();

        CheckingAllocator(int maxFrameBytes) {
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        protected ByteBuf newHeapBuffer(int initialCapacity, int maxCapacity) {
            throw new AssertionError("FrameDecoder allocated a heap buffer; frames are direct buffers");
        }

        @Override
        protected ByteBuf newDirectBuffer(int initialCapacity, int maxCapacity) {
            assertThat(maxCapacity).as("max capacity of a frame buffer").isLessThanOrEqualTo(maxFrameBytes);
            assertThat(initialCapacity).as("initial capacity of a frame buffer").isLessThanOrEqualTo(maxCapacity);
            ByteBuf buffer = UnpooledByteBufAllocator.DEFAULT.directBuffer(initialCapacity, maxCapacity);
            allocated.add(buffer);
            return buffer;
        }

        /** No live buffer has grown past the limit. */
        void checkHeld() {
            for (ByteBuf buffer : allocated) {
                if (buffer.refCnt() > 0) {
                    assertThat(buffer.capacity()).as("capacity of a frame buffer").isLessThanOrEqualTo(maxFrameBytes);
                }
            }
        }

        void checkAllReleased() {
            for (ByteBuf buffer : allocated) {
                assertThat(buffer.refCnt()).as("reference count of a frame buffer after close").isZero();
            }
        }

        @Override
        public boolean isDirectBufferPooled() {
            return false;
        }
    }

    /** Declares an API at kafka-clients' full stable range; never asked to handle anything. */
    private record ParseOnly(ApiKeys apiKey) implements ApiHandler<AbstractRequest> {
        @Override
        public Future<ApiMessage> handle(RequestContext context, AbstractRequest request) {
            return Future.failedFuture(new UnsupportedOperationException("parse only"));
        }
    }
}
