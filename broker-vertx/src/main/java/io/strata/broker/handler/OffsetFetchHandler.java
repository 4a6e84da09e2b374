package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinator;
import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.group.OffsetStorage;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.strata.index.GroupOffset;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestGroup;
import org.apache.kafka.common.message.OffsetFetchRequestData.OffsetFetchRequestTopics;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseGroup;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartition;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponsePartitions;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopic;
import org.apache.kafka.common.message.OffsetFetchResponseData.OffsetFetchResponseTopics;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;

/**
 * OffsetFetch (v1-9; v10 with topic ids is unstable in Kafka 4.1 and not served): one group up to v7, several from
 * v8; a null topic list asks for every committed offset. A partition without a committed offset is answered with
 * offset -1 and no error, as Kafka does. Strata has no transactions, so {@code requireStable} never waits.
 * Stateless.
 */
public final class OffsetFetchHandler implements ApiHandler<OffsetFetchRequest> {

    private final GroupCoordinatorContext groups;

    public OffsetFetchHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_FETCH;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, OffsetFetchRequest request) {
        if (context.apiVersion() >= 8) {
            List<Future<OffsetFetchResponseGroup>> answers = new ArrayList<>();
            for (OffsetFetchRequestGroup group : request.data().groups()) {
                Function<Errors, OffsetFetchResponseGroup> refused =
                        error -> OffsetFetchResponse.groupError(group, error, context.apiVersion());
                answers.add(groups.callFor(context.vertxContext(), group.groupId(), refused,
                        coordinator -> fetch(coordinator, requested(group.topics()), group.groupId(),
                                offsets -> toGroup(group.groupId(), offsets), refused)));
            }
            return Future.all(answers).map(all -> {
                OffsetFetchResponseData response = new OffsetFetchResponseData().setThrottleTimeMs(0);
                for (int i = 0; i < answers.size(); i++) {
                    response.groups().add(all.resultAt(i));
                }
                return response;
            });
        }
        List<OffsetFetchRequestTopics> topics = request.data().topics() == null ? null
                : request.data().topics().stream().map(t -> new OffsetFetchRequestTopics().setName(t.name())
                        .setPartitionIndexes(t.partitionIndexes())).toList();
        Function<Errors, OffsetFetchResponseData> refused =
                error -> request.getErrorResponse(0, error.exception()).data();
        return groups.callFor(context.vertxContext(), request.data().groupId(), refused,
                coordinator -> fetch(coordinator, requested(topics), request.data().groupId(),
                        offsets -> singleGroup(context, offsets), refused)).map(response -> response);
    }

    /** The answer up to v7: one group's offsets at the top level. */
    private static OffsetFetchResponseData singleGroup(RequestContext context,
                                                       Map<TopicPartition, GroupOffset> offsets) {
        OffsetFetchResponseData response = new OffsetFetchResponseData().setErrorCode(Errors.NONE.code());
        if (context.apiVersion() >= 3) {
            response.setThrottleTimeMs(0);
        }
        Map<String, OffsetFetchResponseTopic> byTopic = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> {
            OffsetFetchResponsePartition partition = new OffsetFetchResponsePartition()
                    .setPartitionIndex(tp.partition())
                    .setCommittedOffset(offset == null ? -1 : offset.offset())
                    .setMetadata(offset == null ? "" : offset.metadata().orElse(""))
                    .setErrorCode(Errors.NONE.code());
            if (context.apiVersion() >= 5) {
                partition.setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch().orElse(-1));
            }
            byTopic.computeIfAbsent(tp.topic(), name -> new OffsetFetchResponseTopic().setName(name))
                    .partitions().add(partition);
        });
        response.topics().addAll(byTopic.values());
        return response;
    }

    /** The requested partitions, or null for all committed ones. */
    private static List<TopicPartition> requested(List<OffsetFetchRequestTopics> topics) {
        if (topics == null) {
            return null;
        }
        List<TopicPartition> partitions = new ArrayList<>();
        topics.forEach(t -> t.partitionIndexes().forEach(p -> partitions.add(new TopicPartition(t.name(), p))));
        return partitions;
    }

    /**
     * Each requested partition (or each committed one) with its committed offset, or null when there is none,
     * shaped by {@code answer}; {@code refused} with the error when the offsets cannot be read.
     */
    private static <T> CompletionStage<T> fetch(GroupCoordinator coordinator, List<TopicPartition> partitions,
                                                String groupId, Function<Map<TopicPartition, GroupOffset>, T> answer,
                                                Function<Errors, T> refused) {
        return coordinator.fetchOffsets(groupId).handle((committed, failure) -> {
            if (failure != null) {
                return refused.apply(OffsetStorage.errorOf(failure));
            }
            return answer.apply(byPartition(committed, partitions));
        });
    }

    private static Map<TopicPartition, GroupOffset> byPartition(List<GroupOffset> committed,
                                                                List<TopicPartition> partitions) {
        Map<TopicPartition, GroupOffset> byPartition = new LinkedHashMap<>();
        committed.forEach(o -> byPartition.put(new TopicPartition(o.topic(), o.partition()), o));
        if (partitions == null) {
            return byPartition;
        }
        Map<TopicPartition, GroupOffset> result = new LinkedHashMap<>();
        partitions.forEach(tp -> result.put(tp, byPartition.get(tp)));
        return result;
    }

    private static OffsetFetchResponseGroup toGroup(String groupId, Map<TopicPartition, GroupOffset> offsets) {
        OffsetFetchResponseGroup group = new OffsetFetchResponseGroup().setGroupId(groupId)
                .setErrorCode(Errors.NONE.code());
        Map<String, OffsetFetchResponseTopics> byTopic = new LinkedHashMap<>();
        offsets.forEach((tp, offset) -> byTopic.computeIfAbsent(tp.topic(),
                        name -> new OffsetFetchResponseTopics().setName(name))
                .partitions().add(new OffsetFetchResponsePartitions()
                        .setPartitionIndex(tp.partition())
                        .setCommittedOffset(offset == null ? -1 : offset.offset())
                        .setCommittedLeaderEpoch(offset == null ? -1 : offset.leaderEpoch().orElse(-1))
                        .setMetadata(offset == null ? "" : offset.metadata().orElse(""))
                        .setErrorCode(Errors.NONE.code())));
        group.topics().addAll(byTopic.values());
        return group;
    }
}
