package io.strata.tiering;

/**
 * How often the {@link LogManager} runs its background checks.
 *
 * @param retentionCheckMs Kafka's {@code log.retention.check.interval.ms}
 * @param flushCheckMs     Kafka's {@code log.flush.scheduler.interval.ms}: how often {@code flush.ms} is checked
 * @param rollCheckMs      how often idle active segments are checked against {@code segment.ms}
 */
public record LogManagerSchedule(long retentionCheckMs, long flushCheckMs, long rollCheckMs) {

    public static LogManagerSchedule defaults() {
        return new LogManagerSchedule(300_000, 1_000, 10_000);
    }
}
