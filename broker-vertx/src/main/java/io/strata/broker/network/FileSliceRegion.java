package io.strata.broker.network;

import io.netty.channel.FileRegion;
import io.netty.util.AbstractReferenceCounted;
import io.strata.tiering.log.OpenSegmentFiles;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Optional;

/**
 * A slice of a segment file written to a socket with {@link FileChannel#transferTo} (sendfile on
 * Linux): fetched records go from the page cache to the socket without entering the JVM. Unlike
 * Netty's DefaultFileRegion it never closes the channel, which belongs to the log segment: it holds
 * the segment file open from its creation until Netty releases it (sent, failed, or its connection
 * closed), so a segment deleted or closed meanwhile ({@link OpenSegmentFiles}) closes its file only
 * once this response is done. Used by one channel's event loop at a time.
 */
final class FileSliceRegion extends AbstractReferenceCounted implements FileRegion {

    private final FileChannel channel;
    private final long position;
    private final long count;
    private final Optional<OpenSegmentFiles.Hold> hold;
    private long transferred;

    /** A region of {@code channel}, holding its segment file open if it is one ({@link OpenSegmentFiles#retain}). */
    FileSliceRegion(FileChannel channel, long position, long count) {
        this.channel = channel;
        this.hold = OpenSegmentFiles.retain(channel);
        this.position = position;
        this.count = count;
    }

    @Override
    public long position() {
        return position;
    }

    @Override
    @Deprecated
    public long transfered() {
        return transferred;
    }

    @Override
    public long transferred() {
        return transferred;
    }

    @Override
    public long count() {
        return count;
    }

    @Override
    public long transferTo(WritableByteChannel target, long from) throws IOException {
        long remaining = count - from;
        if (remaining < 0 || from < 0) {
            throw new IllegalArgumentException("position " + from + " outside a region of " + count + " bytes");
        }
        if (remaining == 0) {
            return 0;
        }
        long written = channel.transferTo(position + from, remaining, target);
        if (written > 0) {
            transferred += written;
        } else if (channel.size() < position + count) {
            throw new IOException("the segment file shrank below the fetched range (" + (position + count)
                    + " bytes expected, " + channel.size() + " present)");
        }
        return written;
    }

    @Override
    public FileSliceRegion retain() {
        super.retain();
        return this;
    }

    @Override
    public FileSliceRegion retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public FileSliceRegion touch() {
        return this;
    }

    @Override
    public FileSliceRegion touch(Object hint) {
        return this;
    }

    @Override
    protected void deallocate() {
        // The channel belongs to the log segment: only let go of it.
        hold.ifPresent(OpenSegmentFiles.Hold::release);
    }
}
