package io.strata.index;

/**
 * The catalog's view of one segment in the bucket.
 *
 * @param baseOffset           offset of the first batch (the object's name)
 * @param nextOffset           one past the last offset the segment holds
 * @param sizeBytes            bytes of the segment object
 * @param firstTimestamp       first timestamp of the first batch, {@code -1} if none
 * @param maxTimestamp         greatest batch max timestamp, {@code -1} if none
 * @param offsetOfMaxTimestamp last offset of the first batch carrying {@code maxTimestamp}
 * @param crc32c               CRC-32C of the segment object's bytes
 * @param uploadedMs           wall-clock time the upload finished ({@code -1} before)
 * @param state                life-cycle state in the bucket
 */
public record RemoteSegment(long baseOffset, long nextOffset, long sizeBytes, long firstTimestamp,
                            long maxTimestamp, long offsetOfMaxTimestamp, int crc32c, long uploadedMs,
                            RemoteSegmentState state) {

    public long lastOffset() {
        return nextOffset - 1;
    }

    public RemoteSegment withState(RemoteSegmentState newState, long newUploadedMs) {
        return new RemoteSegment(baseOffset, nextOffset, sizeBytes, firstTimestamp, maxTimestamp,
                offsetOfMaxTimestamp, crc32c, newUploadedMs, newState);
    }
}
