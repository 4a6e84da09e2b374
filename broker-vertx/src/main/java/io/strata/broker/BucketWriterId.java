package io.strata.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * This data directory's writer id: the owner named in the claim of the bucket prefix
 * ({@link io.strata.tiering.remote.BucketPrefixClaim}), so that a broker restarted on the same data
 * directory (after {@code kill -9}, say) takes its own claim over at once instead of waiting for it to
 * expire. Kept in {@code <log.dirs>/bucket-writer.id}, one line holding a UUID in its text form, e.g.
 * {@code 0b6f4c1e-7d0e-4d8a-9a51-3c2f1e0d9b7a}; created on the first start. While a broker runs it holds
 * an exclusive lock on the file (released by the operating system when the process dies, however it
 * dies), so two brokers never run on one data directory and an earlier run's claim is known to be dead.
 * Not thread-safe; one per broker.
 */
final class BucketWriterId implements AutoCloseable {

    static final String FILE_NAME = "bucket-writer.id";

    private final FileChannel channel;
    private final FileLock lock;
    private final String id;

    private BucketWriterId(FileChannel channel, FileLock lock, String id) {
        this.channel = channel;
        this.lock = lock;
        this.id = id;
    }

    /** Locks the file (creating it with a new id if needed) and reads the id. */
    static BucketWriterId lock(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new IllegalStateException("The data directory " + dataDir.toAbsolutePath().normalize()
                        + " is in use by another running broker (" + file + " is locked); give each broker its own "
                        + "log.dirs");
            }
            String id = read(channel);
            if (id.isEmpty()) {
                id = UUID.randomUUID().toString();
                channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
                channel.force(true);
            } else {
                UUID.fromString(id); // refuses a damaged file
            }
            return new BucketWriterId(channel, lock, id);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("Could not read or create " + file + ": " + e.getMessage(), e);
        } catch (IllegalArgumentException e) {
            closeQuietly(channel);
            throw new IllegalStateException(file + " does not hold a writer id (" + e.getMessage() + "); delete it "
                    + "and the broker writes a new one", e);
        } catch (RuntimeException e) {
            closeQuietly(channel);
            throw e;
        }
    }

    private static String read(FileChannel channel) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(128);
        while (channel.read(buffer, buffer.position()) > 0 && buffer.hasRemaining()) {
            // read up to 128 bytes: a UUID and a line end
        }
        return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing after a failure: the first failure is the one to report
            }
        }
    }

    String id() {
        return id;
    }

    /** Releases the lock. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // the channel closes next, which releases it too
        }
        closeQuietly(channel);
    }
}
