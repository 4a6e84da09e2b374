package io.strata.broker.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the inputs a fuzz target ran and, when the class is done, writes the count where
 * {@code src/test/fuzz/run-fuzz.sh} reads it for its results table: {@code target/fuzz-stats/<target>.count},
 * one line holding the number (relative to the module directory, where Maven runs the tests).
 *
 * <p>Thread-safe.
 */
final class FuzzInputCounter {
    private static final Path STATS_DIR = Path.of("target", "fuzz-stats");

    private final String target;
    private final AtomicLong inputs = new AtomicLong();

    /** @param target {@code Class#method} of the fuzz target */
    FuzzInputCounter(String target) {
        this.target = target;
    }

    void inputStarted() {
        inputs.incrementAndGet();
    }

    long inputs() {
        return inputs.get();
    }

    /** Writes the count; call from {@code @AfterAll}, so that it is written after a finding too. */
    void write() {
        try {
            Files.createDirectories(STATS_DIR);
            Files.writeString(STATS_DIR.resolve(target + ".count"), inputs.get() + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the fuzz input count of " + target, e);
        }
    }
}
