package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeLogDirsRequestData.DescribableLogDirTopic;
import org.apache.kafka.common.message.DescribeLogDirsResponseData;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsPartition;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsResult;
import org.apache.kafka.common.message.DescribeLogDirsResponseData.DescribeLogDirsTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeLogDirsRequest;

/**
 * DescribeLogDirs (v1-4), {@code kafka-log-dirs --describe}: the broker's one log directory (the data
 * directory) with the local size of each partition's segments (the bucket's share is not on this disk),
 * offset lag 0 and no future replicas, and the file store's total and usable bytes; KAFKA_STORAGE_ERROR
 * once a storage failure took the directory offline. A request for
 * named topics lists only their partitions that exist.
 */
public final class DescribeLogDirsHandler implements ApiHandler<DescribeLogDirsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public DescribeLogDirsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_LOG_DIRS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeLogDirsRequest request) {
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            Path dir = logs.dataDir().toAbsolutePath().normalize();
            DescribeLogDirsResult result = new DescribeLogDirsResult()
                    .setLogDir(dir.toString())
                    .setErrorCode((logs.health().online() ? Errors.NONE : Errors.KAFKA_STORAGE_ERROR).code());
            try {
                FileStore store = Files.getFileStore(dir);
                result.setTotalBytes(store.getTotalSpace()).setUsableBytes(store.getUsableSpace());
            } catch (IOException e) {
                result.setErrorCode(Errors.KAFKA_STORAGE_ERROR.code());
            }
            if (request.data().topics() == null) {
                for (TopicLogs topic : logs.topics()) {
                    addTopic(result, topic, topic.partitions().stream().map(PartitionLog::topicPartition)
                            .map(tp -> tp.partition()).toList());
                }
            } else {
                for (DescribableLogDirTopic wanted : request.data().topics()) {
                    Optional<TopicLogs> topic = logs.topic(wanted.topic());
                    topic.ifPresent(t -> addTopic(result, t, wanted.partitions()));
                }
            }
            return new DescribeLogDirsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
                    .setResults(List.of(result));
        });
    }

    /** The partitions this broker hosts: in a cluster, those it leads (the others' local files are a stale cache). */
    private void addTopic(DescribeLogDirsResult result, TopicLogs topic, Collection<Integer> partitions) {
        DescribeLogDirsTopic described = new DescribeLogDirsTopic().setName(topic.name());
        for (int partition : partitions) {
            if (partition >= 0 && partition < topic.partitions().size()
                    && cluster.route(new TopicPartition(topic.name(), partition)).leader() == cluster.localNodeId()) {
                described.partitions().add(new DescribeLogDirsPartition()
                        .setPartitionIndex(partition)
                        .setPartitionSize(topic.partitions().get(partition).sizeInBytes())
                        .setOffsetLag(0)
                        .setIsFutureKey(false));
            }
        }
        if (!described.partitions().isEmpty()) {
            result.topics().add(described);
        }
    }
}
