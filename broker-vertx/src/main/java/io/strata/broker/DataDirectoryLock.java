package io.strata.broker;

import io.strata.broker.config.BrokerConfig;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The claim of one running broker on its data directory, as Kafka's {@code .lock}: an exclusive lock
 * ({@link FileChannel#tryLock}) on the empty file {@code <log.dirs>/.lock}, taken before anything else in the
 * directory is opened and held until the broker stops. The operating system drops it when the process dies (even
 * by SIGKILL), so a crashed broker never leaves a stale claim; the file itself stays. A second broker on the same
 * directory gets a {@link StartupFailure}, as does a directory the broker cannot create or write. Thread-safe.
 */
final class DataDirectoryLock implements AutoCloseable {

    static final String FILE_NAME = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Creates the directory if needed and locks it; a {@link StartupFailure} when that cannot be done. */
    static DataDirectoryLock acquire(Path dataDir) {
        Path file = dataDir.resolve(FILE_NAME);
        FileChannel channel;
        try {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new StartupFailure("Cannot write to the data directory " + dataDir.toAbsolutePath() + " ("
                    + reason(e) + "): make it writable by the user running the broker, or set "
                    + BrokerConfig.LOG_DIRS + " to another directory.");
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            close(channel);
            throw new StartupFailure("The data directory " + dataDir.toAbsolutePath() + " is in use by another "
                    + "running broker (it holds " + file.toAbsolutePath() + "): stop that broker, or set "
                    + BrokerConfig.LOG_DIRS + " to another directory.");
        }
        return new DataDirectoryLock(channel, lock);
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException denied) {
            return denied.getFile() + ": permission denied";
        }
        if (e instanceof NoSuchFileException missing) {
            return missing.getFile() + ": no such file or directory";
        }
        return e.getMessage();
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // Nothing was locked through it.
        }
    }

    /** Releases the directory. */
    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // Closing the channel releases it too.
        }
        close(channel);
    }
}
