package io.strata.loadtest.bench;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every process the tool started, so that a JVM shutdown hook (normal exit, Ctrl-C, SIGTERM, an uncaught
 * failure) stops each of them by its pid, children first, and none outlives the tool. Thread-safe.
 */
final class StartedProcesses {

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(StartedProcesses::stopAll, "stop-started-brokers"));
    }

    private StartedProcesses() {
    }

    static void register(Process process) {
        RUNNING.add(process);
    }

    /** SIGTERM to the process, up to {@code timeout} for it to exit, then SIGKILL to it and its descendants. */
    static void stop(Process process, Duration timeout) throws InterruptedException {
        try {
            var descendants = process.descendants().toList();
            process.destroy();
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
            descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        } finally {
            RUNNING.remove(process);
        }
    }

    static void stopAll() {
        for (Process process : Set.copyOf(RUNNING)) {
            try {
                stop(process, Duration.ofSeconds(20));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }
}
