package io.strata.faults.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.strata.faults.Prerequisites;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The clock shim in a child JVM: its wall clock jumps when the offset changes, its monotonic clock does not. */
@Timeout(120)
class ClockShimTest {

    private static final long HOUR_MS = 3_600_000;
    private static final long SLACK_MS = 30_000;

    @TempDir
    Path dir;

    @Test
    void theWallClockOfAChildJvmJumpsWithTheOffsetWhileItsMonotonicClockGoesOn() throws Exception {
        ClockShim.Result built = ClockShim.build(dir.resolve("shim"));
        if (built.shim().isEmpty()) {
            Prerequisites.skipOrFail("the clock shim could not be built: " + built.message());
        }
        ClockShim shim = built.shim().orElseThrow();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder builder = new ProcessBuilder(java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                ClockProbe.class.getName());
        builder.environment().putAll(shim.environment());
        Process probe = builder.start();
        try (PrintWriter ask = new PrintWriter(probe.getOutputStream(), true, StandardCharsets.UTF_8);
             BufferedReader answers = new BufferedReader(new InputStreamReader(probe.getInputStream(),
                     StandardCharsets.UTF_8))) {
            long[] right = read(ask, answers);
            assertThat(right[0]).as("wall clock with no offset").isCloseTo(System.currentTimeMillis(), within(SLACK_MS));

            shim.jump(HOUR_MS);
            TimeUnit.MILLISECONDS.sleep(300); // the shim reads the offset again every 100 ms
            long[] ahead = read(ask, answers);
            assertThat(ahead[0]).as("System.currentTimeMillis an hour ahead")
                    .isCloseTo(System.currentTimeMillis() + HOUR_MS, within(SLACK_MS));
            assertThat(ahead[1]).as("Instant.now an hour ahead").isCloseTo(ahead[0], within(SLACK_MS));
            assertThat(ahead[2] - right[2]).as("System.nanoTime: no jump").isBetween(
                    TimeUnit.MILLISECONDS.toNanos(300), TimeUnit.SECONDS.toNanos(30));

            shim.jump(0);
            TimeUnit.MILLISECONDS.sleep(300);
            long[] back = read(ask, answers);
            assertThat(back[0]).as("back by an hour").isCloseTo(System.currentTimeMillis(), within(SLACK_MS));
            assertThat(back[2]).as("System.nanoTime still goes forward").isGreaterThan(ahead[2]);
        } finally {
            probe.destroyForcibly();
            probe.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static long[] read(PrintWriter ask, BufferedReader answers) throws Exception {
        ask.println();
        String line = answers.readLine();
        assertThat(line).as("the probe answered").isNotNull();
        return Arrays.stream(line.trim().split(" ")).mapToLong(Long::parseLong).toArray();
    }
}
