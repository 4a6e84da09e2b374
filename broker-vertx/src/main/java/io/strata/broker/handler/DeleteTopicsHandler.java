package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.tiering.LogManager;
import io.strata.tiering.TopicLogs;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.errors.UnknownTopicIdException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.message.DeleteTopicsResponseData.DeletableTopicResult;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DeleteTopicsRequest;

/**
 * DeleteTopics (v1-6): by name, or from v6 by name or topic id. A topic's data and index entries
 * are gone when the response is sent; its directories are removed in the background.
 */
public final class DeleteTopicsHandler implements ApiHandler<DeleteTopicsRequest> {

    private final LogManager logs;
    private final Cluster cluster;

    public DeleteTopicsHandler(LogManager logs, Cluster cluster) {
        this.logs = logs;
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_TOPICS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DeleteTopicsRequest request) {
        List<DeleteTopicState> targets = new ArrayList<>();
        if (context.apiVersion() >= 6) {
            targets.addAll(request.data().topics());
        } else {
            for (String name : request.data().topicNames()) {
                targets.add(new DeleteTopicState().setName(name).setTopicId(Uuid.ZERO_UUID));
            }
        }
        return Blocking.run(context.vertxContext(), logs.ioExecutor(), () -> {
            DeleteTopicsResponseData response = new DeleteTopicsResponseData().setThrottleTimeMs(0);
            for (DeleteTopicState target : targets) {
                response.responses().add(delete(target));
            }
            return response;
        });
    }

    private DeletableTopicResult delete(DeleteTopicState target) {
        DeletableTopicResult result = new DeletableTopicResult()
                .setName(target.name())
                .setTopicId(target.topicId())
                .setErrorCode(Errors.NONE.code());
        try {
            Optional<TopicLogs> topic = target.name() != null ? logs.topic(target.name()) : logs.topic(target.topicId());
            if (topic.isEmpty()) {
                throw target.name() != null
                        ? new UnknownTopicOrPartitionException("Topic '" + target.name() + "' does not exist.")
                        : new UnknownTopicIdException("Topic id " + target.topicId() + " does not exist.");
            }
            result.setName(topic.get().name()).setTopicId(topic.get().topicId());
            cluster.deleteTopic(topic.get().name());
        } catch (RuntimeException e) {
            result.setErrorCode(KafkaErrors.toError(e, "Deleting topic " + target.name()).code())
                    .setErrorMessage(KafkaErrors.message(e));
        }
        return result;
    }
}
