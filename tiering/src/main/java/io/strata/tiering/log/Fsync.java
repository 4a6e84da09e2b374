package io.strata.tiering.log;

import java.io.IOException;
import java.io.SyncFailedException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The one place the log makes file-system changes durable. A file's data reaches the disk with
 * {@code fsync} of the file; its name (a creation, rename or deletion) only with {@code fsync} of the
 * directory that holds it, so every change of a directory's entries is followed by
 * {@link #directory(Path)}.
 *
 * <p>A failed sync surfaces as {@link SyncFailedException}: after a failed {@code fsync} the kernel
 * may already have dropped the dirty pages it could not write, so retrying cannot tell whether the
 * data is on disk (the "fsyncgate" finding). Callers treat it as fatal for the log directory and
 * never retry it. Stateless.
 */
public final class Fsync {

    private Fsync() {
    }

    /** Fsyncs {@code directory}, making the creations, renames and deletions of its entries durable. */
    public static void directory(Path directory) throws SyncFailedException {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException e) {
            throw failed("directory " + directory, e);
        }
    }

    /** Fsyncs the data and metadata of an open file. */
    public static void file(FileChannel channel, Path file) throws SyncFailedException {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw failed(file.toString(), e);
        }
    }

    /** Creates {@code directory} (and missing parents) if needed, syncing the parent of each one created. */
    public static void createDirectories(Path directory) throws IOException {
        Path absolute = directory.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent);
        }
        Files.createDirectories(absolute);
        if (parent != null) {
            directory(parent);
        }
    }

    /** Deletes {@code file} if it exists and syncs its directory. */
    public static void delete(Path file) throws IOException {
        if (Files.deleteIfExists(file)) {
            directory(file.toAbsolutePath().getParent());
        }
    }

    /** Whether {@code failure} (or a cause of it) is a failed sync. */
    public static boolean isSyncFailure(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SyncFailedException) {
                return true;
            }
        }
        return false;
    }

    private static SyncFailedException failed(String what, IOException cause) {
        SyncFailedException failure = new SyncFailedException("fsync of " + what + " failed: " + cause.getMessage());
        failure.initCause(cause);
        return failure;
    }
}
