package io.strata.faults.inject;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;

/**
 * A wall-clock jump in one process: {@code clock_shift.c} (a resource beside this class) built with gcc into an
 * {@code LD_PRELOAD} library. A process started with {@link #environment} reads its wall clock
 * ({@code clock_gettime(CLOCK_REALTIME)}, {@code gettimeofday}, {@code time}: {@code System.currentTimeMillis} and
 * {@code Instant.now} in a JVM) off by the offset last {@link #jump set} (within 100 ms of setting it); its monotonic
 * clock ({@code System.nanoTime}) is untouched. Not thread-safe.
 */
public final class ClockShim {

    private static final String SOURCE = "clock_shift.c";

    private final Path library;
    private final Path offsetFile;

    private ClockShim(Path library, Path offsetFile) {
        this.library = library;
        this.offsetFile = offsetFile;
    }

    /**
     * Compiles the shim into {@code buildDir}, with no offset yet.
     *
     * @return the shim, or empty with the reason when gcc is missing or fails
     */
    public static Result build(Path buildDir) throws IOException, InterruptedException {
        Path library = buildDir.resolve("libclockshift.so");
        Optional<String> failed = PreloadLibrary.build(SOURCE, buildDir, library.getFileName().toString());
        if (failed.isPresent()) {
            return new Result(Optional.empty(), failed.get());
        }
        Path offsetFile = buildDir.resolve("clock-offset-ms");
        Files.deleteIfExists(offsetFile);
        return new Result(Optional.of(new ClockShim(library, offsetFile)), "built " + library);
    }

    /** The shim, or why there is none. */
    public record Result(Optional<ClockShim> shim, String message) {}

    /** The environment of a process whose wall clock follows {@link #jump}. */
    public Map<String, String> environment() {
        return Map.of("LD_PRELOAD", library.toString(), "FAULT_CLOCK_OFFSET_FILE", offsetFile.toString());
    }

    /** From now on the wall clock of such processes reads {@code offsetMillis} off the real one (0: right again). */
    public void jump(long offsetMillis) throws IOException {
        Path next = offsetFile.resolveSibling(offsetFile.getFileName() + ".next");
        Files.writeString(next, Long.toString(offsetMillis));
        Files.move(next, offsetFile, StandardCopyOption.ATOMIC_MOVE);
    }
}
