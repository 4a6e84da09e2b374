package io.strata.broker.group;

import io.strata.index.GroupOffset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData.OffsetCommitRequestTopic;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponsePartition;
import org.apache.kafka.common.message.OffsetCommitResponseData.OffsetCommitResponseTopic;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteRequestData.OffsetDeleteRequestTopic;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponsePartition;
import org.apache.kafka.common.message.OffsetDeleteResponseData.OffsetDeleteResponseTopic;
import org.apache.kafka.common.protocol.Errors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Committed offsets of classic groups: OffsetCommit validated against the group's generation and members as Kafka
 * does (a generation of -1 commits for an empty or unknown group, as {@code Admin.alterConsumerGroupOffsets} and
 * consumers using {@code assign()} do), OffsetFetch, OffsetDelete, and the expiry of offsets of empty groups after
 * {@code offsets.retention.minutes}. Offsets are read and written through {@link OffsetStorage}; nothing is cached
 * here. Runs on the coordinator's thread. Not thread-safe.
 */
final class GroupOffsets {

    private static final Logger LOGGER = LoggerFactory.getLogger(GroupOffsets.class);

    private final Map<String, ClassicGroup> groups;
    private final GroupScheduler scheduler;
    private final GroupConfig config;
    private final OffsetStorage storage;
    private final Predicate<TopicPartition> partitionExists;
    private final Function<String, ClassicGroup> newGroup;

    /** @param newGroup creates a new, empty group of the given id (not yet registered in {@code groups}) */
    GroupOffsets(Map<String, ClassicGroup> groups, GroupScheduler scheduler, GroupConfig config,
                 OffsetStorage storage, Predicate<TopicPartition> partitionExists,
                 Function<String, ClassicGroup> newGroup) {
        this.groups = groups;
        this.scheduler = scheduler;
        this.config = config;
        this.storage = storage;
        this.partitionExists = partitionExists;
        this.newGroup = newGroup;
    }

    CompletableFuture<OffsetCommitResponseData> commit(OffsetCommitRequestData request, short version) {
        ClassicGroup group = groups.get(request.groupId());
        Errors groupError;
        if (group == null) {
            if (request.generationIdOrMemberEpoch() < 0) {
                group = newGroup.apply(request.groupId());
                groups.put(group.groupId, group);
                groupError = Errors.NONE;
            } else {
                groupError = version >= 9 ? Errors.GROUP_ID_NOT_FOUND : Errors.ILLEGAL_GENERATION;
            }
        } else {
            groupError = validateCommit(group, request);
        }
        long now = scheduler.nowMs();
        OffsetCommitResponseData response = new OffsetCommitResponseData();
        List<GroupOffset> accepted = new ArrayList<>();
        List<OffsetCommitResponsePartition> pendingResults = new ArrayList<>();
        for (OffsetCommitRequestTopic topic : request.topics()) {
            OffsetCommitResponseTopic topicResult = new OffsetCommitResponseTopic().setName(topic.name());
            response.topics().add(topicResult);
            for (OffsetCommitRequestPartition partition : topic.partitions()) {
                OffsetCommitResponsePartition result = new OffsetCommitResponsePartition()
                        .setPartitionIndex(partition.partitionIndex());
                topicResult.partitions().add(result);
                Errors error = groupError;
                if (error == Errors.NONE && !partitionExists.test(new TopicPartition(topic.name(),
                        partition.partitionIndex()))) {
                    error = Errors.UNKNOWN_TOPIC_OR_PARTITION;
                }
                if (error == Errors.NONE && partition.committedMetadata() != null
                        && partition.committedMetadata().getBytes(StandardCharsets.UTF_8).length
                        > config.offsetMetadataMaxBytes()) {
                    error = Errors.OFFSET_METADATA_TOO_LARGE;
                }
                result.setErrorCode(error.code());
                if (error == Errors.NONE) {
                    accepted.add(new GroupOffset(request.groupId(), topic.name(), partition.partitionIndex(),
                            partition.committedOffset(),
                            partition.committedLeaderEpoch() < 0 ? OptionalInt.empty()
                                    : OptionalInt.of(partition.committedLeaderEpoch()),
                            Optional.ofNullable(partition.committedMetadata()), now));
                    pendingResults.add(result);
                }
            }
        }
        if (accepted.isEmpty()) {
            return CompletableFuture.completedFuture(response);
        }
        // Only accepted when the group was there or was just created, at the slot epoch the write must carry
        int heldAt = group.coordinatorEpoch;
        return storage.commit(heldAt, accepted).handle((ignored, failure) -> {
            if (failure != null) {
                Errors error = OffsetStorage.errorOf(failure);
                LOGGER.warn("Could not store offsets of group {} ({}): {}", request.groupId(), error.name(),
                        failure.toString());
                pendingResults.forEach(r -> r.setErrorCode(error.code()));
            }
            return response;
        });
    }

    /** Kafka's checks for a classic group's commit. */
    private static Errors validateCommit(ClassicGroup group, OffsetCommitRequestData request) {
        if (group.is(GroupState.DEAD)) {
            return Errors.COORDINATOR_NOT_AVAILABLE;
        }
        int generation = request.generationIdOrMemberEpoch();
        if (generation < 0 && group.is(GroupState.EMPTY)) {
            return Errors.NONE;
        }
        if (request.groupInstanceId() != null) {
            Optional<String> holder = group.staticMemberId(request.groupInstanceId());
            if (holder.isPresent() && !holder.get().equals(request.memberId())) {
                return Errors.FENCED_INSTANCE_ID;
            }
        }
        if (group.is(GroupState.COMPLETING_REBALANCE)) {
            return Errors.REBALANCE_IN_PROGRESS;
        }
        if (group.member(request.memberId()) == null) {
            return Errors.UNKNOWN_MEMBER_ID;
        }
        return generation == group.generationId ? Errors.NONE : Errors.ILLEGAL_GENERATION;
    }

    /** Every committed offset of the group (none for an unknown group). */
    CompletableFuture<List<GroupOffset>> fetch(String groupId) {
        return storage.fetch(groupId);
    }

    CompletableFuture<OffsetDeleteResponseData> delete(OffsetDeleteRequestData request) {
        ClassicGroup group = groups.get(request.groupId());
        OffsetDeleteResponseData response = new OffsetDeleteResponseData();
        if (group == null || group.is(GroupState.DEAD)) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.GROUP_ID_NOT_FOUND.code()));
        }
        Optional<Set<String>> subscribed = group.subscribedTopics();
        if (!group.is(GroupState.EMPTY) && subscribed.isEmpty()) {
            return CompletableFuture.completedFuture(response.setErrorCode(Errors.NON_EMPTY_GROUP.code()));
        }
        List<TopicPartition> deletable = new ArrayList<>();
        for (OffsetDeleteRequestTopic topic : request.topics()) {
            OffsetDeleteResponseTopic topicResult = new OffsetDeleteResponseTopic().setName(topic.name());
            response.topics().add(topicResult);
            boolean inUse = subscribed.map(s -> s.contains(topic.name())).orElse(false);
            topic.partitions().forEach(p -> {
                topicResult.partitions().add(new OffsetDeleteResponsePartition().setPartitionIndex(p.partitionIndex())
                        .setErrorCode(inUse ? Errors.GROUP_SUBSCRIBED_TO_TOPIC.code() : Errors.NONE.code()));
                if (!inUse) {
                    deletable.add(new TopicPartition(topic.name(), p.partitionIndex()));
                }
            });
        }
        return storage.delete(group.coordinatorEpoch, group.groupId, deletable).handle((ignored, failure) -> {
            if (failure != null) {
                Errors error = OffsetStorage.errorOf(failure);
                LOGGER.warn("Could not delete offsets of group {} ({}): {}", group.groupId, error.name(),
                        failure.toString());
                return new OffsetDeleteResponseData().setErrorCode(error.code());
            }
            return response;
        });
    }

    /**
     * Deletes the offsets of empty groups that are older than the retention, counted from the later of the commit
     * and the moment the group became empty; an empty group left without offsets is removed, as in Kafka.
     */
    void expire() {
        long cutoff = scheduler.nowMs() - config.offsetsRetentionMs();
        for (ClassicGroup group : List.copyOf(groups.values())) {
            if (!group.is(GroupState.EMPTY) || group.hasPendingMembers()) {
                continue;
            }
            // Offsets only expire once the group has been empty for the whole retention
            long groupCutoff = group.stateTimestampMs() <= cutoff ? cutoff : Long.MIN_VALUE;
            storage.expire(group.coordinatorEpoch, group.groupId, groupCutoff).whenComplete((remaining, failure) -> scheduler.execute(() -> {
                if (failure != null) {
                    LOGGER.warn("Could not expire offsets of group {}: {}", group.groupId, failure.toString());
                } else if (remaining == 0 && group.is(GroupState.EMPTY) && groups.get(group.groupId) == group) {
                    group.transitionTo(GroupState.DEAD, scheduler.nowMs());
                    groups.remove(group.groupId);
                    LOGGER.info("Removed empty group {}: it has no committed offsets (left)", group.groupId);
                }
            }));
        }
    }
}
