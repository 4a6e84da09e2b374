package io.strata.tiering.remote;

import org.apache.kafka.common.TopicPartition;

/**
 * The {@link UploadFence} refused to confirm an upload: this broker no longer leads the partition. Uploads of
 * the partition stop until it is reopened.
 */
public final class UploadFencedException extends RuntimeException {

    private final transient TopicPartition topicPartition;

    public UploadFencedException(TopicPartition topicPartition, String message) {
        super(message);
        this.topicPartition = topicPartition;
    }

    public TopicPartition topicPartition() {
        return topicPartition;
    }
}
