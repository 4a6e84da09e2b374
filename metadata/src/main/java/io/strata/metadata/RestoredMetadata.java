package io.strata.metadata;

import java.util.List;
import java.util.Objects;

/**
 * What a rebuild of the metadata database from the bucket puts into an empty store ({@link MetadataStore#restore},
 * CLUSTER.md invariant 6 and rule 5): the topics with their partitions, the committed offsets of consumer groups,
 * and a floor for producer ids.
 *
 * @param topics          every topic found in the bucket, each with all its partitions
 * @param offsets         the committed offsets found in the bucket, of those topics only
 * @param producerIdFloor producer ids handed out after the restore start at or above it
 */
public record RestoredMetadata(List<RestoredTopic> topics, List<CommittedOffset> offsets, long producerIdFloor) {

    public RestoredMetadata {
        topics = List.copyOf(topics);
        offsets = List.copyOf(offsets);
        if (producerIdFloor < 0) {
            throw new IllegalArgumentException("the producer id floor is 0 or more, not " + producerIdFloor);
        }
    }

    /** A topic as found in the bucket: its definition and each of its partitions, in partition order. */
    public record RestoredTopic(TopicDefinition topic, List<RestoredPartition> partitions) {
        public RestoredTopic {
            Objects.requireNonNull(topic, "topic");
            partitions = List.copyOf(partitions);
            if (partitions.size() != topic.partitions()) {
                throw new IllegalArgumentException("topic " + topic.name() + " has " + topic.partitions()
                        + " partitions, not " + partitions.size());
            }
        }
    }

    /**
     * One partition as found in the bucket.
     *
     * @param committedEnd      one past the last offset of its segments in the bucket (its log start offset when it
     *                          has none): the committed end it gets
     * @param highestEpochFound the highest leader epoch found in the bucket for it (its manifest's, its segments',
     *                          its write-ahead-log objects'; 0 when none)
     */
    public record RestoredPartition(long committedEnd, int highestEpochFound) {
        public RestoredPartition {
            if (committedEnd < 0 || highestEpochFound < 0 || highestEpochFound == Integer.MAX_VALUE) {
                throw new IllegalArgumentException("committed end " + committedEnd + " and highest epoch "
                        + highestEpochFound + " cannot be restored");
            }
        }

        /** The leader epoch the partition restarts at: above every epoch found in the bucket (rule 5). */
        public int leaderEpoch() {
            return highestEpochFound + 1;
        }
    }
}
