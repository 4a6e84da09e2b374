package io.strata.tiering.wal;

import java.time.Duration;

/**
 * How the write-ahead log gathers appends into objects: an object is written when {@code linger} has passed since
 * its first append or when it holds {@code batchBytes}, whichever comes first; at most {@code maxInFlight} objects
 * are being written or committed at once; appends are refused (retriably) while more than {@code maxBufferedBytes}
 * wait to be committed, so memory stays bounded when the bucket or the database is slow. A partition's active
 * segment rolls (and is uploaded, releasing its WAL ranges) once it holds {@code tailMaxBytes} or is
 * {@code tailMax} old, which bounds what a new leader reads from the WAL and how long WAL objects are kept.
 */
public record WalSettings(Duration linger, int batchBytes, int maxInFlight, long maxBufferedBytes, long tailMaxBytes,
                          Duration tailMax) {
    /** The tail limits' defaults: 64 MiB, 5 minutes. */
    public static final long DEFAULT_TAIL_MAX_BYTES = 64L * 1024 * 1024;
    public static final Duration DEFAULT_TAIL_MAX = Duration.ofMinutes(5);

    public WalSettings {
        if (linger.isNegative() || batchBytes <= 0 || maxInFlight <= 0 || maxBufferedBytes < batchBytes
                || tailMaxBytes <= 0 || tailMax.isNegative() || tailMax.isZero()) {
            throw new IllegalArgumentException("invalid WAL settings: linger " + linger + ", batch bytes " + batchBytes
                    + ", in flight " + maxInFlight + ", buffered " + maxBufferedBytes + ", tail " + tailMaxBytes
                    + " bytes / " + tailMax);
        }
    }

    /** With the default tail limits. */
    public WalSettings(Duration linger, int batchBytes, int maxInFlight, long maxBufferedBytes) {
        this(linger, batchBytes, maxInFlight, maxBufferedBytes, DEFAULT_TAIL_MAX_BYTES, DEFAULT_TAIL_MAX);
    }
}
