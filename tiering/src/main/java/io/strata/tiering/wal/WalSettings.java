package io.strata.tiering.wal;

import java.time.Duration;

/**
 * How the write-ahead log gathers appends into objects: an object is written when {@code linger} has passed since
 * its first append or when it holds {@code batchBytes}, whichever comes first; at most {@code maxInFlight} objects
 * are being written or committed at once; appends are refused (retriably) while more than {@code maxBufferedBytes}
 * wait to be committed, so memory stays bounded when the bucket or the database is slow.
 */
public record WalSettings(Duration linger, int batchBytes, int maxInFlight, long maxBufferedBytes) {
    public WalSettings {
        if (linger.isNegative() || batchBytes <= 0 || maxInFlight <= 0 || maxBufferedBytes < batchBytes) {
            throw new IllegalArgumentException("invalid WAL settings: linger " + linger + ", batch bytes " + batchBytes
                    + ", in flight " + maxInFlight + ", buffered " + maxBufferedBytes);
        }
    }
}
