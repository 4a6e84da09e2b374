package io.strata.faults.inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * fsync failure below the log: {@code fsync_fail.c} (a resource beside this class) built with gcc into an
 * {@code LD_PRELOAD} library. A process started with {@link #environment} sees {@code fsync}/{@code fdatasync}
 * fail with {@code EIO} on files under {@code pathPrefix} while {@link #arm armed} (a trigger file exists).
 * Injected failures are counted in {@code <trigger>.count}. Not thread-safe.
 */
public final class FsyncShim {

    private static final String SOURCE = "fsync_fail.c";

    private final Path library;
    private final Path trigger;
    private final Path counter;

    private FsyncShim(Path library, Path trigger) {
        this.library = library;
        this.trigger = trigger;
        this.counter = trigger.resolveSibling(trigger.getFileName() + ".count");
    }

    /**
     * Compiles the shim into {@code buildDir}; the trigger file will be {@code buildDir/fsync-fail.trigger}.
     *
     * @return the shim, or empty with the reason printed when gcc is missing or fails
     */
    public static Result build(Path buildDir) throws IOException, InterruptedException {
        Path library = buildDir.resolve("libfsyncfail.so");
        Optional<String> failed = PreloadLibrary.build(SOURCE, buildDir, library.getFileName().toString());
        if (failed.isPresent()) {
            return new Result(Optional.empty(), failed.get());
        }
        Path trigger = buildDir.resolve("fsync-fail.trigger");
        Files.deleteIfExists(trigger);
        return new Result(Optional.of(new FsyncShim(library, trigger)), "built " + library);
    }

    /** The shim, or why there is none. */
    public record Result(Optional<FsyncShim> shim, String message) {}

    /** The environment of a process that fails fsync on files under {@code pathPrefix} while armed. */
    public Map<String, String> environment(Path pathPrefix) {
        return Map.of("LD_PRELOAD", library.toString(),
                "FAULT_FSYNC_TRIGGER", trigger.toString(),
                "FAULT_FSYNC_PATH_PREFIX", pathPrefix.toAbsolutePath().toString());
    }

    /** From now on, fsync fails. */
    public void arm() throws IOException {
        Files.writeString(trigger, "armed\n");
    }

    /** From now on, fsync works again. */
    public void disarm() throws IOException {
        Files.deleteIfExists(trigger);
    }

    /** fsync calls failed so far. */
    public long injected() throws IOException {
        if (!Files.exists(counter)) {
            return 0;
        }
        List<String> lines = Files.readAllLines(counter);
        return lines.size();
    }
}
