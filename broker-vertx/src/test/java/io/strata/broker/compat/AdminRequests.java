package io.strata.broker.compat;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsRequestData.CreatePartitionsTopic;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsRequestData.DescribeConfigsResource;
import org.apache.kafka.common.message.DescribeLogDirsRequestData;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData.OffsetForLeaderTopic;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;

/**
 * Simple, valid requests of the admin APIs (configs, partitions, log dirs, leader epochs, producers) for
 * {@link OlderRequestVersionsTest}: each one is expected to be answered without error.
 */
final class AdminRequests {

    private static final Set<ApiKeys> APIS = Set.of(ApiKeys.DESCRIBE_CONFIGS, ApiKeys.ALTER_CONFIGS,
            ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.CREATE_PARTITIONS, ApiKeys.DESCRIBE_LOG_DIRS,
            ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.DESCRIBE_PRODUCERS);
    private static final AtomicInteger TOPICS = new AtomicInteger();
    private static final String RETENTION_MS = "retention.ms";

    private final String bootstrap;
    private final String topic;

    AdminRequests(String bootstrap, String topic) {
        this.bootstrap = bootstrap;
        this.topic = topic;
    }

    static boolean isAdminApi(ApiKeys key) {
        return APIS.contains(key);
    }

    ApiMessage request(ApiKeys key, short version) throws Exception {
        byte topicType = ConfigResource.Type.TOPIC.id();
        switch (key) {
            case DESCRIBE_CONFIGS:
                return new DescribeConfigsRequestData().setIncludeSynonyms(true)
                        .setIncludeDocumentation(version >= 3)
                        .setResources(List.of(new DescribeConfigsResource().setResourceType(topicType)
                                .setResourceName(topic).setConfigurationKeys(null)));
            case ALTER_CONFIGS: {
                AlterConfigsRequestData.AlterConfigsResource resource = new AlterConfigsRequestData.AlterConfigsResource()
                        .setResourceType(topicType).setResourceName(topic);
                resource.configs().add(new AlterConfigsRequestData.AlterableConfig().setName(RETENTION_MS)
                        .setValue(Long.toString(604_800_000L + version)));
                AlterConfigsRequestData.AlterConfigsResourceCollection resources =
                        new AlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(resource);
                return new AlterConfigsRequestData().setResources(resources);
            }
            case INCREMENTAL_ALTER_CONFIGS: {
                IncrementalAlterConfigsRequestData.AlterConfigsResource resource =
                        new IncrementalAlterConfigsRequestData.AlterConfigsResource()
                                .setResourceType(topicType).setResourceName(topic);
                resource.configs().add(new IncrementalAlterConfigsRequestData.AlterableConfig().setName(RETENTION_MS)
                        .setConfigOperation(AlterConfigOp.OpType.SET.id()).setValue("86400000"));
                IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection resources =
                        new IncrementalAlterConfigsRequestData.AlterConfigsResourceCollection();
                resources.add(resource);
                return new IncrementalAlterConfigsRequestData().setResources(resources);
            }
            case CREATE_PARTITIONS: {
                String name = "partitions-v" + version + "-" + TOPICS.incrementAndGet();
                Clients.createTopic(bootstrap, name, 1, Map.of());
                CreatePartitionsRequestData.CreatePartitionsTopicCollection topics =
                        new CreatePartitionsRequestData.CreatePartitionsTopicCollection();
                topics.add(new CreatePartitionsTopic().setName(name).setCount(2).setAssignments(null));
                return new CreatePartitionsRequestData().setTimeoutMs(10_000).setTopics(topics);
            }
            case DESCRIBE_LOG_DIRS:
                return new DescribeLogDirsRequestData().setTopics(null);
            case OFFSET_FOR_LEADER_EPOCH: {
                OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
                        new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
                topics.add(new OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(
                        new OffsetForLeaderPartition().setPartition(0).setCurrentLeaderEpoch(0).setLeaderEpoch(0))));
                return new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics);
            }
            case DESCRIBE_PRODUCERS:
                return new DescribeProducersRequestData().setTopics(List.of(
                        new DescribeProducersRequestData.TopicRequest().setName(topic).setPartitionIndexes(List.of(0))));
            default:
                throw new IllegalArgumentException(key + " is not an admin API of this helper");
        }
    }
}
