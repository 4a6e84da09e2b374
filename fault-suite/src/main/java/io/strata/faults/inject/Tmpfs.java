package io.strata.faults.inject;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A small filesystem to fill up: {@code mount -t tmpfs -o size=<n>m tmpfs DIR} (needs root). The disk-full
 * fault writes a filler file into it first, so that deleting the filler frees space again. Not thread-safe.
 */
public final class Tmpfs implements AutoCloseable {

    private final Path mountPoint;
    private int sizeMiB;

    private Tmpfs(Path mountPoint, int sizeMiB) {
        this.mountPoint = mountPoint;
        this.sizeMiB = sizeMiB;
    }

    /** Mounts, or returns the reason it cannot (not root, mount failed). */
    public static Result mount(Path mountPoint, int sizeMiB) throws IOException, InterruptedException {
        Files.createDirectories(mountPoint);
        Outcome id = run(List.of("id", "-u"));
        if (id.code() != 0 || !id.output().strip().equals("0")) {
            return new Result(null, "mounting a tmpfs needs root; this is uid " + id.output().strip());
        }
        Outcome mount = run(List.of("mount", "-t", "tmpfs", "-o", "size=" + sizeMiB + "m", "tmpfs",
                mountPoint.toAbsolutePath().toString()));
        if (mount.code() != 0) {
            return new Result(null, "mount -t tmpfs failed (" + mount.code() + "): " + mount.output().strip());
        }
        return new Result(new Tmpfs(mountPoint, sizeMiB), "mounted a " + sizeMiB + " MiB tmpfs at " + mountPoint);
    }

    /** The mounted filesystem (null when it could not be mounted), and what happened. */
    public record Result(Tmpfs tmpfs, String message) {}

    public Path path() {
        return mountPoint;
    }

    /** Bytes free now. */
    public long usableBytes() throws IOException {
        return Files.getFileStore(mountPoint).getUsableSpace();
    }

    /**
     * Writes {@code bytes} of zeros to {@code name} in the filesystem (to be deleted later to free space). The
     * caller must leave room: a write that does not fit fails with an {@link IOException}.
     */
    public Path fill(String name, long bytes) throws IOException {
        Path filler = mountPoint.resolve(name);
        byte[] chunk = new byte[1024 * 1024];
        try (var out = Files.newOutputStream(filler)) {
            for (long left = bytes; left > 0; left -= chunk.length) {
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return filler;
    }

    /** Makes the filesystem {@code extraMiB} larger ({@code mount -o remount,size=...}), freeing space. */
    public void grow(int extraMiB) throws IOException, InterruptedException {
        Outcome remount = run(List.of("mount", "-o", "remount,size=" + (sizeMiB + extraMiB) + "m",
                mountPoint.toAbsolutePath().toString()));
        if (remount.code() != 0) {
            throw new IOException("could not grow the tmpfs at " + mountPoint + ": " + remount.output().strip());
        }
        sizeMiB += extraMiB;
    }

    /** Unmounts (lazily if busy, so a process still holding files cannot make it fail). */
    @Override
    public void close() throws IOException {
        try {
            Outcome umount = run(List.of("umount", mountPoint.toAbsolutePath().toString()));
            if (umount.code() != 0) {
                run(List.of("umount", "-l", mountPoint.toAbsolutePath().toString()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while unmounting " + mountPoint, e);
        }
    }

    private record Outcome(int code, String output) {}

    private static Outcome run(List<String> command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        } catch (IOException e) {
            return new Outcome(-1, command.get(0) + " cannot run: " + e.getMessage());
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Outcome(-1, String.join(" ", command) + " did not finish within 30 s");
        }
        return new Outcome(process.exitValue(), output);
    }
}
