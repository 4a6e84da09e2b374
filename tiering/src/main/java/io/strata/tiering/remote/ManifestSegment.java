package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.index.RemoteSegment;
import io.strata.index.RemoteSegmentState;
import java.time.Instant;
import java.util.HexFormat;

/**
 * One segment as the partition manifest lists it (see {@link PartitionManifest}).
 *
 * @param object     the segment object's file name within the partition's folder
 * @param index      the index sidecar's file name within the partition's folder
 * @param crc32c     CRC-32C of the segment object's bytes, 8 lower-case hex digits
 * @param uploadTime when the upload finished, ISO-8601 UTC
 */
@JsonPropertyOrder({"baseOffset", "lastOffset", "firstTimestamp", "maxTimestamp", "offsetOfMaxTimestamp",
        "sizeBytes", "crc32c", "uploadTime", "object", "index"})
public record ManifestSegment(long baseOffset, long lastOffset, long firstTimestamp, long maxTimestamp,
                              long offsetOfMaxTimestamp, long sizeBytes, String crc32c, String uploadTime,
                              String object, String index) {

    static ManifestSegment of(RemoteSegment segment) {
        String name = RemoteLayout.fileName(segment.baseOffset());
        return new ManifestSegment(segment.baseOffset(), segment.lastOffset(), segment.firstTimestamp(),
                segment.maxTimestamp(), segment.offsetOfMaxTimestamp(), segment.sizeBytes(),
                hex(segment.crc32c()), Instant.ofEpochMilli(segment.uploadedMs()).toString(),
                name + RemoteLayout.SEGMENT_SUFFIX, name + RemoteLayout.INDEX_SUFFIX);
    }

    /** The catalog entry this manifest line stands for (state {@code COPY_FINISHED}). */
    public RemoteSegment toRemoteSegment() {
        return new RemoteSegment(baseOffset, lastOffset + 1, sizeBytes, firstTimestamp, maxTimestamp,
                offsetOfMaxTimestamp, crc32cValue(), Instant.parse(uploadTime).toEpochMilli(),
                RemoteSegmentState.COPY_FINISHED);
    }

    public int crc32cValue() {
        return (int) Long.parseLong(crc32c, 16);
    }

    static String hex(int crc) {
        return HexFormat.of().toHexDigits(crc);
    }
}
