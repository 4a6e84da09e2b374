package io.strata.tiering;

import io.strata.tiering.log.PartitionLog;

/**
 * Told when partition logs come and go, for whoever keeps something per partition (the broker's
 * metrics). Called by {@link LogManager} under its topic-administration lock, so calls arrive one at a
 * time and in order; implementations must be quick and must not call back into topic administration.
 */
public interface LogListener {

    /**
     * A partition log is open: at registration for every existing partition, then on create and increase, and when
     * a partition is reopened from the bucket (a new log replaces the old one of that partition).
     */
    void partitionOpened(PartitionLog log);

    /** A topic was deleted; its partition logs are closed. */
    void topicDeleted(TopicLogs topic);
}
