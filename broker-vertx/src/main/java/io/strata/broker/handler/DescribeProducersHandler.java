package io.strata.broker.handler;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.index.BatchMetadata;
import io.strata.index.ProducerStateEntry;
import io.strata.tiering.LogManager;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData.TopicRequest;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.message.DescribeProducersResponseData.PartitionResponse;
import org.apache.kafka.common.message.DescribeProducersResponseData.ProducerState;
import org.apache.kafka.common.message.DescribeProducersResponseData.TopicResponse;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeProducersRequest;

/**
 * DescribeProducers (v0), {@code kafka-transactions describe-producers} and {@code Admin.describeProducers}:
 * the idempotent producers each partition keeps state for, with their epoch, last sequence and the
 * timestamp of their last batch. Strata has no transactions, so the coordinator epoch and the current
 * transaction's start offset are always -1.
 */
public final class DescribeProducersHandler implements ApiHandler<DescribeProducersRequest> {

    private final LogManager logs;

    public DescribeProducersHandler(LogManager logs) {
        this.logs = logs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_PRODUCERS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeProducersRequest request) {
        DescribeProducersResponseData response = new DescribeProducersResponseData().setThrottleTimeMs(0);
        for (TopicRequest topic : request.data().topics()) {
            TopicResponse topicResponse = new TopicResponse().setName(topic.name());
            for (int partition : topic.partitionIndexes()) {
                topicResponse.partitions().add(describe(new TopicPartition(topic.name(), partition)));
            }
            response.topics().add(topicResponse);
        }
        return Future.succeededFuture(response);
    }

    private PartitionResponse describe(TopicPartition tp) {
        PartitionResponse response = new PartitionResponse().setPartitionIndex(tp.partition())
                .setErrorCode(Errors.NONE.code());
        Optional<PartitionLog> log = logs.log(tp);
        if (log.isEmpty()) {
            return response.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                    .setErrorMessage("This server does not host " + tp);
        }
        for (ProducerStateEntry entry : log.get().producerStates()) {
            BatchMetadata last = entry.batches().isEmpty() ? null : entry.batches().get(entry.batches().size() - 1);
            response.activeProducers().add(new ProducerState()
                    .setProducerId(entry.producerId())
                    .setProducerEpoch(entry.epoch())
                    .setLastSequence(last == null ? -1 : last.lastSeq())
                    .setLastTimestamp(last == null ? entry.lastTimestamp() : last.timestamp())
                    .setCoordinatorEpoch(-1)
                    .setCurrentTxnStartOffset(-1));
        }
        return response;
    }
}
