package io.strata.broker.network;

import io.netty.buffer.Unpooled;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * One encoded response frame as the parts to write in order: buffers (size prefix, header, fields,
 * in-memory record sets) and {@link FileSlice}s (record sets still in a segment file). Immutable.
 */
record ResponseFrame(List<Object> parts, long sizeInBytes) {

    /** {@code count} bytes of a segment file from {@code position}. */
    record FileSlice(FileChannel channel, long position, long count) {
    }

    ResponseFrame {
        parts = List.copyOf(parts);
    }

    /**
     * The parts as Netty messages: adjacent heap buffers wrapped together without copying, each direct
     * buffer (record sets read from the bucket) on its own, file slices as regions. A direct buffer is
     * never wrapped together with heap ones: Netty copies any message that is not wholly direct into a
     * new direct buffer before writing it, and the record sets are the bulk of a fetch response. The
     * messages go out in one gathering write all the same.
     */
    List<Object> toNettyMessages() {
        List<Object> messages = new ArrayList<>();
        List<ByteBuffer> pending = new ArrayList<>();
        for (Object part : parts) {
            if (part instanceof ByteBuffer buffer && !buffer.isDirect()) {
                pending.add(buffer.duplicate());
            } else if (part instanceof ByteBuffer direct) {
                flush(pending, messages);
                messages.add(Unpooled.wrappedBuffer(direct.duplicate()));
            } else {
                flush(pending, messages);
                FileSlice slice = (FileSlice) part;
                messages.add(new FileSliceRegion(slice.channel(), slice.position(), slice.count()));
            }
        }
        flush(pending, messages);
        return messages;
    }

    private static void flush(List<ByteBuffer> pending, List<Object> messages) {
        if (!pending.isEmpty()) {
            messages.add(Unpooled.wrappedBuffer(pending.toArray(ByteBuffer[]::new)));
            pending.clear();
        }
    }

    /** The whole frame in one buffer positioned at 0, file slices read in (tests and diagnostics). */
    ByteBuffer toByteBuffer() {
        ByteBuffer joined = ByteBuffer.allocate(Math.toIntExact(sizeInBytes));
        try {
            for (Object part : parts) {
                if (part instanceof ByteBuffer buffer) {
                    joined.put(buffer.duplicate());
                } else {
                    FileSlice slice = (FileSlice) part;
                    ByteBuffer target = joined.slice(joined.position(), (int) slice.count());
                    while (target.hasRemaining()) {
                        if (slice.channel().read(target, slice.position() + target.position()) < 0) {
                            throw new IOException("segment file ends inside a fetched slice");
                        }
                    }
                    joined.position(joined.position() + (int) slice.count());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return joined.flip();
    }
}
