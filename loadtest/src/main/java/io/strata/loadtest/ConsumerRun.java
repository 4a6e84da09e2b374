package io.strata.loadtest;

import java.util.Optional;

/**
 * The closing CSV line of {@code ConsumerPerformance} or {@link AssignConsumerPerf}:
 * {@code start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, ...},
 * for example {@code 2026-12-01 03:10:00:000, 2026-12-01 03:10:02:500, 976.5625, 390.6250, 1000000,
 * 400000.0000, 0, 2500, 390.6250, 400000.0000}. A run that stopped early (the tool's timeout) is
 * still parsed; {@link #records()} tells how many records it read.
 */
record ConsumerRun(double mbPerSec, long records, double recordsPerSec) {

    /** The last line with ten comma-separated fields whose fifth is a number, or empty. */
    static Optional<ConsumerRun> parse(String output) {
        ConsumerRun last = null;
        for (String line : output.split("\\R")) {
            String[] fields = line.split(",\\s*");
            if (fields.length == 10 && fields[4].trim().matches("\\d+")) {
                last = new ConsumerRun(Double.parseDouble(fields[3].trim()), Long.parseLong(fields[4].trim()),
                    Double.parseDouble(fields[5].trim()));
            }
        }
        return Optional.ofNullable(last);
    }
}
