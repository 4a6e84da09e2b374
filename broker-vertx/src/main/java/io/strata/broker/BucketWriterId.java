package io.strata.broker;

import io.strata.tiering.log.Fsync;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * This data directory's writer id: the owner named in the claim of the bucket prefix
 * ({@link io.strata.tiering.remote.BucketPrefixClaim}), so that a broker restarted on the same data
 * directory (after {@code kill -9}, say) takes its own claim over at once instead of waiting for it to
 * expire. Kept in {@code <log.dirs>/bucket-writer.id}, one line holding a UUID in its text form, e.g.
 * {@code 0b6f4c1e-7d0e-4d8a-9a51-3c2f1e0d9b7a}; created on the first start (written to a temporary file,
 * fsynced and moved into place, so a crash never leaves half an id). Read only while the broker holds the
 * data directory's lock ({@link DataDirectoryLock}): one broker per data directory, so an earlier run that
 * holds the claim under this id is known to be dead.
 */
final class BucketWriterId {

    static final String FILE_NAME = "bucket-writer.id";

    private BucketWriterId() {
    }

    /** The id of {@code dataDir}, created if it has none; a {@link StartupFailure} if the file is damaged. */
    static String readOrCreate(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        try {
            if (Files.exists(file)) {
                String id = Files.readString(file, StandardCharsets.US_ASCII).trim();
                try {
                    return UUID.fromString(id).toString();
                } catch (IllegalArgumentException e) {
                    throw new StartupFailure(file + " does not hold a writer id (" + e.getMessage() + "); delete it "
                            + "and the broker writes a new one.");
                }
            }
            String id = UUID.randomUUID().toString();
            Path temporary = dataDir.resolve(FILE_NAME + ".tmp");
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
                    StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap((id + "\n").getBytes(StandardCharsets.US_ASCII)));
                Fsync.file(channel, temporary);
            }
            Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            Fsync.directory(dataDir);
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not read or create " + file + ": " + e.getMessage(), e);
        }
    }
}
