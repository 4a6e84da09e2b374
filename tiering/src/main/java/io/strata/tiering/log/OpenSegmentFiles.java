package io.strata.tiering.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.common.record.FileRecords;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The open segment files, each with a count of what holds it open: its {@link LogSegment}, and every response still
 * being sent from it. A zero-copy Fetch response goes out by sendfile from the segment's {@link FileChannel} after the
 * read, as slowly as the client reads; closing the channel under it would cut that client off. So a segment that is
 * closed or deleted (retention, topic deletion, broker shutdown) only lets go of its file, and the channel is closed
 * when the last holder does. Between a read and the start of its response's write, the slice is covered by a grace
 * period instead ({@link Owner}). Deleting the file on disk does not wait: an unlinked file stays readable through an
 * open channel. Files are found by their channel, which is what a record set handed to the network layer carries.
 * Thread-safe.
 */
public final class OpenSegmentFiles {

    private static final Logger LOGGER = LoggerFactory.getLogger(OpenSegmentFiles.class);
    private static final Map<FileChannel, OpenFile> OPEN = new ConcurrentHashMap<>();
    /**
     * How long a slice handed out by a read keeps its file open, until its response takes a hold of its own: longer
     * than a response can wait behind earlier ones of its connection (a long poll is capped at
     * {@code strata.fetch.max.wait.ms}, 30 s by default), with room to spare. A deleted segment's file descriptor
     * stays open that long after its last read.
     */
    static final long SLICE_GRACE_MS = 120_000;

    /** A hold on an open segment file, keeping it open until released; releasing more than once is harmless. */
    @FunctionalInterface
    public interface Hold {
        void release();
    }

    private OpenSegmentFiles() {
    }

    /**
     * Keeps the segment file read through {@code channel} open until the returned hold is released; empty when
     * {@code channel} is not that of an open segment file (closed already, or not a segment's).
     */
    public static Optional<Hold> retain(FileChannel channel) {
        OpenFile file = OPEN.get(channel);
        return file != null && file.tryRetain() ? Optional.of(holdOf(file)) : Optional.empty();
    }

    /** Registers a segment file just opened, held by its segment, which lets go through the returned owner. */
    static Owner register(FileRecords records) {
        OpenFile file = new OpenFile(records);
        OPEN.put(records.channel(), file);
        return new Owner(file);
    }

    /**
     * The segment's own hold on its file. A read hands out slices of the file that the response takes a hold on
     * only when its write starts, a moment later (after encoding, behind earlier responses of its connection); so
     * when the segment lets go within {@link #SLICE_GRACE_MS} of its last slice, its hold is released only once that
     * much time has passed since that slice.
     */
    static final class Owner {
        private final OpenFile file;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile long lastSliceNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(SLICE_GRACE_MS);

        private Owner(OpenFile file) {
            this.file = file;
        }

        /** A slice of the file was handed out now. */
        void sliced() {
            lastSliceNanos = System.nanoTime();
        }

        /** Lets go of the file (at once, or {@link #SLICE_GRACE_MS} after the last slice); once only. */
        void release() {
            if (released.compareAndSet(false, true)) {
                releaseWhenNoSliceIsRecent();
            }
        }

        private void releaseWhenNoSliceIsRecent() {
            long wait = TimeUnit.MILLISECONDS.toNanos(SLICE_GRACE_MS) - (System.nanoTime() - lastSliceNanos);
            if (wait <= 0) {
                file.release();
            } else {
                CompletableFuture.delayedExecutor(wait, TimeUnit.NANOSECONDS).execute(this::releaseWhenNoSliceIsRecent);
            }
        }
    }

    /** A hold on {@code file} already counted. */
    private static Hold holdOf(OpenFile file) {
        AtomicBoolean released = new AtomicBoolean();
        return () -> {
            if (released.compareAndSet(false, true)) {
                file.release();
            }
        };
    }

    /** How many holds a segment file has; closed at zero, never reopened. */
    private static final class OpenFile {
        private final FileRecords records;
        private final AtomicInteger holders = new AtomicInteger(1);

        OpenFile(FileRecords records) {
            this.records = records;
        }

        boolean tryRetain() {
            while (true) {
                int count = holders.get();
                if (count <= 0) {
                    return false;
                }
                if (holders.compareAndSet(count, count + 1)) {
                    return true;
                }
            }
        }

        void release() {
            if (holders.decrementAndGet() == 0) {
                OPEN.remove(records.channel(), this);
                try {
                    records.closeHandlers();
                } catch (IOException e) {
                    LOGGER.warn("Could not close segment file {}: {}", records.file(), e.getMessage());
                }
            }
        }
    }
}
