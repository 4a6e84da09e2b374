package io.strata.faults.inject;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Child process of {@link FsyncShimTest}: writes a byte to the file named by its argument, then
 * {@code force(true)} (fsync) and {@code force(false)} (fdatasync), and prints {@code fsync ok|failed} and
 * {@code fdatasync ok|failed}.
 */
public final class FsyncProbe {

    private FsyncProbe() {}

    public static void main(String[] args) throws IOException {
        try (FileChannel channel = FileChannel.open(Path.of(args[0]), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1}));
            System.out.println("fsync " + force(channel, true));
            System.out.println("fdatasync " + force(channel, false));
        }
    }

    private static String force(FileChannel channel, boolean metadata) {
        try {
            channel.force(metadata);
            return "ok";
        } catch (IOException e) {
            return "failed";
        }
    }
}
