package io.strata.tiering.remote;

import io.strata.index.TopicRecord;
import io.strata.tiering.StartRefusedException;
import io.strata.tiering.config.TopicConfigDef;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.internals.Topic;

/**
 * Checks of what a restore reads from the bucket, which is untrusted input: anyone with write access to the
 * bucket (or a bug, or bit rot) can put anything there. Every value is checked before it reaches a file path,
 * an allocation or the catalog; a failed check names the object ({@link BadBucketObjectException}). Stateless.
 */
final class BucketObjectChecks {

    /** A topic with more partitions than this is refused (a restore opens a directory per partition). */
    static final int MAX_PARTITIONS = 100_000;
    /** A manifest or tombstone bigger than this is refused before it is downloaded. */
    static final long MAX_MANIFEST_BYTES = 64L * 1024 * 1024;
    /** An index sidecar bigger than this is refused before it is downloaded. */
    static final long MAX_SIDECAR_BYTES = 256L * 1024 * 1024;

    /** An object of the bucket that fails a check; the message names the object and the problem. */
    static final class BadBucketObjectException extends StartRefusedException {
        BadBucketObjectException(String key, String problem) {
            super("Refusing to restore from the bucket: object " + key + " " + problem + "; fix or remove that"
                    + " object (strata inspect verify lists the bucket's contents), then start again");
        }
    }

    private BucketObjectChecks() {
    }

    static void checkSize(String key, long size, long max) {
        if (size < 0 || size > max) {
            throw new BadBucketObjectException(key, "is " + size + " bytes, more than the " + max + " allowed");
        }
    }

    /** The topic a topic manifest stored at {@code key} describes, every field checked. */
    static TopicRecord topic(String key, TopicManifest manifest) {
        try {
            Topic.validate(manifest.name());
        } catch (InvalidTopicException | NullPointerException e) {
            throw new BadBucketObjectException(key, "names an invalid topic '" + manifest.name() + "': "
                    + e.getMessage());
        }
        if (manifest.partitions() < 1 || manifest.partitions() > MAX_PARTITIONS) {
            throw new BadBucketObjectException(key, "has partition count " + manifest.partitions()
                    + " (allowed: 1 to " + MAX_PARTITIONS + ")");
        }
        if (manifest.replicationFactor() < 1) {
            throw new BadBucketObjectException(key, "has replication factor " + manifest.replicationFactor());
        }
        TopicRecord topic;
        try {
            topic = manifest.toTopicRecord();
        } catch (IllegalArgumentException | DateTimeParseException | NullPointerException e) {
            throw new BadBucketObjectException(key, "has an invalid topic id or create time: " + e.getMessage());
        }
        if (!key.equals(RemoteLayout.topicManifest(topic.name(), topic.topicId()))) {
            throw new BadBucketObjectException(key, "describes topic " + topic.name() + " with id "
                    + manifest.topicId() + ", which belongs at " + RemoteLayout.topicManifest(topic.name(),
                    topic.topicId()));
        }
        try {
            TopicConfigDef.validate(topic.configs());
        } catch (ConfigException e) {
            throw new BadBucketObjectException(key, "has an invalid topic config: " + e.getMessage());
        }
        return topic;
    }

    /** Checks a partition manifest: its identity, log start offset and segment list (ordered, non-overlapping). */
    static void partition(String key, PartitionManifest manifest, TopicRecord topic, int partition) {
        if (!topic.name().equals(manifest.topic()) || partition != manifest.partition()
                || !RemoteLayout.kafkaId(topic.topicId()).equals(manifest.topicId())) {
            throw new BadBucketObjectException(key, "describes partition " + manifest.topic() + "-"
                    + manifest.partition() + " (" + manifest.topicId() + ")");
        }
        if (manifest.logStartOffset() < 0) {
            throw new BadBucketObjectException(key, "has log start offset " + manifest.logStartOffset());
        }
        long previousEnd = -1;
        List<ManifestSegment> segments = manifest.segments() == null ? List.of() : manifest.segments();
        for (ManifestSegment segment : segments) {
            String problem = segmentProblem(segment, previousEnd);
            if (problem != null) {
                throw new BadBucketObjectException(key, "lists segment " + segment.baseOffset() + ": " + problem);
            }
            previousEnd = segment.lastOffset() + 1;
        }
    }

    private static String segmentProblem(ManifestSegment segment, long previousEnd) {
        if (segment.baseOffset() < 0 || segment.lastOffset() < segment.baseOffset()
                || segment.lastOffset() == Long.MAX_VALUE) {
            return "offsets " + segment.baseOffset() + " to " + segment.lastOffset();
        }
        if (segment.baseOffset() < previousEnd) {
            return "overlaps the segment before it (which ends at " + previousEnd + ")";
        }
        if (segment.sizeBytes() < 0 || segment.sizeBytes() > Integer.MAX_VALUE) {
            return "size " + segment.sizeBytes() + " bytes";
        }
        try {
            segment.crc32cValue();
            Instant.parse(segment.uploadTime());
        } catch (RuntimeException e) {
            return "invalid checksum or upload time (" + e.getMessage() + ")";
        }
        return null;
    }

    /** Checks that an index sidecar belongs to its segment and points only inside it. */
    static void sidecar(String key, SegmentSidecar sidecar, ManifestSegment segment) {
        if (sidecar.baseOffset() != segment.baseOffset() || sidecar.nextOffset() != segment.lastOffset() + 1) {
            throw new BadBucketObjectException(key, "covers offsets " + sidecar.baseOffset() + " to "
                    + sidecar.nextOffset() + ", not those of its segment");
        }
        for (SegmentSidecar.OffsetEntry entry : sidecar.offsets()) {
            if (entry.offset() < segment.baseOffset() || entry.offset() > segment.lastOffset()
                    || entry.position() < 0 || entry.position() >= segment.sizeBytes()) {
                throw new BadBucketObjectException(key, "has index entry offset " + entry.offset() + " at position "
                        + entry.position() + " outside its segment");
            }
        }
        for (SegmentSidecar.TimeEntry entry : sidecar.times()) {
            if (entry.offset() < segment.baseOffset() || entry.offset() > segment.lastOffset()) {
                throw new BadBucketObjectException(key, "has time entry offset " + entry.offset()
                        + " outside its segment");
            }
        }
    }
}
