package io.strata.tiering;

import io.strata.index.TopicRecord;
import io.strata.tiering.config.LogConfig;
import io.strata.tiering.log.PartitionLog;
import java.util.List;
import org.apache.kafka.common.Uuid;

/**
 * A topic as the broker serves it: its stored definition, its id in Kafka's form, its effective
 * config and its open partition logs (index = partition number). Immutable; replaced as a whole
 * when the topic changes.
 */
public record TopicLogs(TopicRecord record, Uuid topicId, LogConfig config, List<PartitionLog> partitions) {

    public TopicLogs {
        partitions = List.copyOf(partitions);
    }

    public String name() {
        return record.name();
    }
}
