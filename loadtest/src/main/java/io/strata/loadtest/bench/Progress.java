package io.strata.loadtest.bench;

import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of the run on standard error while it runs: one task at a time (a scenario on a system), its
 * records done out of the total, percent and current rate. On a terminal the line is redrawn every second;
 * otherwise (CI logs, files) a plain line is printed every five seconds, so logs stay readable. Thread-safe.
 */
final class Progress implements AutoCloseable {

    private final PrintStream out;
    private final boolean terminal;
    private final Thread ticker;
    private volatile Task current;

    Progress(PrintStream out, boolean terminal) {
        this.out = out;
        this.terminal = terminal;
        this.ticker = new Thread(this::tick, "progress");
        this.ticker.setDaemon(true);
        this.ticker.start();
    }

    static Progress forStandardError() {
        return new Progress(System.err, System.console() != null);
    }

    /** A counted task; {@link Task#done()} is advanced by the driver, from any thread. */
    final class Task implements AutoCloseable {
        private final String label;
        private final long total;
        private final int recordSize;
        private final AtomicLong done = new AtomicLong();
        private final long startNanos = System.nanoTime();
        private long lastDone;
        private long lastNanos = startNanos;

        private Task(String label, long total, int recordSize) {
            this.label = label;
            this.total = total;
            this.recordSize = recordSize;
        }

        AtomicLong done() {
            return done;
        }

        private synchronized String line() {
            long now = System.nanoTime();
            long count = done.get();
            double seconds = Math.max(1e-9, (now - lastNanos) / 1e9);
            double rate = (count - lastDone) / seconds;
            lastDone = count;
            lastNanos = now;
            return String.format(Locale.ROOT, "%s: %3.0f%% %,d/%,d records, %,.0f records/s, %.1f MiB/s",
                label, total == 0 ? 100.0 : 100.0 * count / total, count, total, rate,
                rate * recordSize / (1024.0 * 1024.0));
        }

        /** The closing line: how many records in how long; the run's own figures follow from the driver. */
        @Override
        public void close() {
            current = null;
            print(String.format(Locale.ROOT, "%s: done, %,d/%,d records in %.1f s", label, done.get(), total,
                (System.nanoTime() - startNanos) / 1e9), true);
        }
    }

    Task start(String label, long total, int recordSize) {
        Task task = new Task(label, total, recordSize);
        current = task;
        return task;
    }

    /** A plain message line (phases that are not counted in records). */
    void say(String message) {
        print(message, true);
    }

    private synchronized void print(String line, boolean permanent) {
        if (terminal) {
            out.print("\r\033[K" + line + (permanent ? "\n" : ""));
        } else {
            out.println(line);
        }
        out.flush();
    }

    private void tick() {
        long period = terminal ? 1000 : 5000;
        try {
            while (!Thread.currentThread().isInterrupted()) {
                Thread.sleep(period); // a fixed reporting period, nothing to wait on
                Task task = current;
                if (task != null) {
                    print(task.line(), false);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        ticker.interrupt();
    }
}
