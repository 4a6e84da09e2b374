package io.strata.tiering.remote;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.strata.index.RemoteSegment;
import java.util.Comparator;
import java.util.List;

/**
 * The partition manifest, {@code topics/{topic}-{topicId}/{partition}/manifest.json}: the list of
 * the partition's segments in the bucket, oldest first, and the partition's log start offset. A
 * segment appears here only after both of its objects are complete, and leaves it before they are
 * deleted, so every object the manifest names exists. {@code writerGeneration} is the generation of
 * the broker's {@link PrefixLease} when it wrote the manifest (0 in manifests written before it existed);
 * {@link ManifestWriter} writes it only with conditional puts and never over a newer generation's.
 * Example:
 * <pre>
 * {
 *   "version" : 1,
 *   "topic" : "orders",
 *   "topicId" : "5Hs9bWq3RJ2bm2a0QvOiPA",
 *   "partition" : 0,
 *   "logStartOffset" : 0,
 *   "writerGeneration" : 2,
 *   "segments" : [ {
 *     "baseOffset" : 0, "lastOffset" : 52344, "firstTimestamp" : 1764558000000,
 *     "maxTimestamp" : 1764558123456, "offsetOfMaxTimestamp" : 52344, "sizeBytes" : 268435000,
 *     "crc32c" : "8a9136aa", "uploadTime" : "2026-12-01T03:02:04.511Z",
 *     "object" : "00000000000000000000.log", "index" : "00000000000000000000.index"
 *   } ]
 * }
 * </pre>
 */
@JsonPropertyOrder({"version", "topic", "topicId", "partition", "logStartOffset", "writerGeneration", "segments"})
public record PartitionManifest(int version, String topic, String topicId, int partition, long logStartOffset,
                                long writerGeneration, List<ManifestSegment> segments) {

    public static final int VERSION = 1;

    public PartitionManifest {
        segments = List.copyOf(segments);
    }

    /**
     * The manifest listing {@code finished} (segments in state COPY_FINISHED), sorted by base offset, as
     * written by {@code writerGeneration}.
     */
    static PartitionManifest of(String topic, String topicId, int partition, long logStartOffset,
                                long writerGeneration, List<RemoteSegment> finished) {
        List<ManifestSegment> lines = finished.stream()
                .sorted(Comparator.comparingLong(RemoteSegment::baseOffset))
                .map(ManifestSegment::of)
                .toList();
        return new PartitionManifest(VERSION, topic, topicId, partition, logStartOffset, writerGeneration, lines);
    }

    public byte[] toJson() {
        return ManifestJson.write(this);
    }

    /** Parses a manifest, rejecting versions this broker does not know. */
    public static PartitionManifest fromJson(byte[] json) {
        return ManifestJson.read(json, PartitionManifest.class, "partition manifest", PartitionManifest::version, VERSION);
    }
}
