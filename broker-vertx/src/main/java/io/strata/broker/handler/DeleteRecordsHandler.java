package io.strata.broker.handler;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.log.PartitionLog;
import io.vertx.core.Future;
import java.util.Optional;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.OffsetOutOfRangeException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsPartitionResult;
import org.apache.kafka.common.message.DeleteRecordsResponseData.DeleteRecordsTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteRecordsRequest;

/**
 * DeleteRecords (v0-2): moves a partition's log start offset up to the requested offset ({@code -1}:
 * the high watermark), as {@code kafka-delete-records} and {@code Admin.deleteRecords} do. Offsets
 * below it stop being readable at once; whole segments below it, local or in the bucket, are
 * deleted (local ones now, remote ones by the remote tier's next pass). The answer carries the new
 * low watermark. An offset above the high watermark gets OFFSET_OUT_OF_RANGE.
 */
public final class DeleteRecordsHandler implements ApiHandler<DeleteRecordsRequest> {

    private final LogManager logs;

    public DeleteRecordsHandler(LogManager logs) {
        this.logs = logs;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_RECORDS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DeleteRecordsRequest request) {
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            DeleteRecordsResponseData response = new DeleteRecordsResponseData().setThrottleTimeMs(0);
            for (DeleteRecordsTopic topic : request.data().topics()) {
                DeleteRecordsTopicResult topicResult = new DeleteRecordsTopicResult().setName(topic.name());
                response.topics().add(topicResult);
                for (DeleteRecordsPartition partition : topic.partitions()) {
                    topicResult.partitions().add(delete(new TopicPartition(topic.name(), partition.partitionIndex()),
                            partition.offset()));
                }
            }
            return response;
        });
    }

    private DeleteRecordsPartitionResult delete(TopicPartition tp, long offset) {
        DeleteRecordsPartitionResult result = new DeleteRecordsPartitionResult()
                .setPartitionIndex(tp.partition())
                .setLowWatermark(-1)
                .setErrorCode(Errors.NONE.code());
        try {
            Optional<PartitionLog> found = logs.log(tp);
            if (found.isEmpty()) {
                throw new UnknownTopicOrPartitionException("This server does not host " + tp);
            }
            PartitionLog log = found.get();
            long target = offset == DeleteRecordsRequest.HIGH_WATERMARK ? log.highWatermark() : offset;
            if (target < 0 || target > log.highWatermark()) {
                throw new OffsetOutOfRangeException("Cannot delete records of " + tp + " below " + offset
                        + ": the high watermark is " + log.highWatermark());
            }
            log.advanceLogStartOffset(target);
            result.setLowWatermark(log.logStartOffset());
        } catch (RuntimeException e) {
            result.setErrorCode(KafkaErrors.toError(e, "DeleteRecords on " + tp).code());
        }
        return result;
    }
}
