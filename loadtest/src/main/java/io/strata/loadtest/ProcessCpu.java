package io.strata.loadtest;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/** CPU time used by a process so far, for the CPU-per-GiB figures of the benchmarks. Linux only. */
public final class ProcessCpu {

    /** Clock ticks per second of /proc/<pid>/stat's utime and stime: USER_HZ, 100 on every Linux we run. */
    private static final double TICKS_PER_SECOND = 100.0;

    private ProcessCpu() {
    }

    /** User plus system CPU seconds of this JVM. */
    public static double ownSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime() / 1e9;
    }

    /** User plus system CPU seconds of process {@code pid} (0 when pid is 0 or the process is gone). */
    public static double seconds(long pid) {
        if (pid <= 0) {
            return 0;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // fields after "(comm) ": state ppid ... ; utime and stime are fields 14 and 15 of the whole line
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / TICKS_PER_SECOND;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
