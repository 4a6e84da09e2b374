package io.strata.tiering.testing;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Real storage faults without a seam: a segment file replaced by a symbolic link to a Linux device
 * makes the kernel fail the log's own system calls on it. {@code /dev/null} accepts writes but fails
 * {@code fsync} with EINVAL; {@code /dev/full} fails every write with ENOSPC. The log opens the link
 * like any segment file (both devices report size 0, as an empty segment). Stateless.
 */
public final class FailingDevices {

    /** Writes succeed, {@code fsync} fails. */
    public static final Path FSYNC_FAILS = Path.of("/dev/null");
    /** Writes fail with "No space left on device". */
    public static final Path WRITE_FAILS = Path.of("/dev/full");

    private FailingDevices() {
    }

    /** Replaces {@code file} with a link to {@code device}, after checking the device fails as promised. */
    public static void replace(Path file, Path device) throws IOException {
        requireFailing(device);
        Files.delete(file);
        Files.createSymbolicLink(file, device);
    }

    /**
     * Skips the test with the reason when this machine's {@code device} does not fail as documented
     * (not Linux); under {@code CI=true} the test fails instead.
     */
    private static void requireFailing(Path device) {
        boolean fails;
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
            if (device.equals(FSYNC_FAILS)) {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
                channel.force(true);
            } else {
                channel.write(java.nio.ByteBuffer.wrap(new byte[] {1}));
            }
            fails = false;
        } catch (IOException e) {
            fails = true;
        }
        String reason = device + " does not fail " + (device.equals(FSYNC_FAILS) ? "fsync" : "writes")
                + " on this machine (Linux devices needed for this fault)";
        if (!fails && "true".equals(System.getenv("CI"))) {
            Assertions.fail(reason);
        }
        Assumptions.assumeTrue(fails, reason);
    }
}
