package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.StrataBroker;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.network.RawKafkaClient;
import io.strata.broker.network.WireFormat;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.AlterPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ListPartitionReassignmentsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersion;
import org.apache.kafka.common.message.ApiVersionsResponseData.ApiVersionCollection;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopic;
import org.apache.kafka.common.message.CreateTopicsRequestData.CreatableTopicCollection;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData.DeleteRecordsTopic;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsRequestData.DeleteTopicState;
import org.apache.kafka.common.message.DescribeClusterRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData;
import org.apache.kafka.common.message.DescribeTopicPartitionsRequestData.TopicRequest;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchRequestData.FetchPartition;
import org.apache.kafka.common.message.FetchRequestData.FetchTopic;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataRequestData.MetadataRequestTopic;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceRequestData.PartitionProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceData;
import org.apache.kafka.common.message.ProduceRequestData.TopicProduceDataCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every API the broker advertises, at its oldest and newest advertised version, sent as raw frames: the
 * response parses with kafka-clients' classes and carries no error. Versions and keys the broker does not
 * serve are answered as Apache Kafka 4 answers them.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OlderRequestVersionsTest {

    private static final String TOPIC = "versions";
    private static final AtomicInteger CORRELATION = new AtomicInteger(1);
    private static final AtomicInteger TOPIC_COUNTER = new AtomicInteger();

    @TempDir
    static Path dataDir;

    private static StrataBroker broker;
    private static Uuid topicId;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = StrataBroker.start(BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://127.0.0.1:0",
                "http.port", "0",
                "log.dirs", dataDir.toString(),
                "remote.log.storage.system.enable", "false",
                "auto.create.topics.enable", "false",
                "group.initial.rebalance.delay.ms", "0")));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1, Map.of());
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            topicId = admin.describeTopics(List.of(TOPIC)).allTopicNames().get().get(TOPIC).topicId();
        }
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** (API, version) for the oldest and newest advertised version of every advertised API. */
    static Stream<Arguments> advertisedVersions() throws Exception {
        List<Arguments> cases = new ArrayList<>();
        for (ApiVersion advertised : apiVersions()) {
            ApiKeys key = ApiKeys.forId(advertised.apiKey());
            // Produce is advertised from v0 like Kafka does (KAFKA-18659), but v0-2 no longer exist: the
            // oldest Produce that can be sent is kafka-clients' oldest.
            short oldest = (short) Math.max(advertised.minVersion(), key.oldestVersion());
            for (short version : new TreeSet<>(List.of(oldest, advertised.maxVersion()))) {
                cases.add(Arguments.of(key, version));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} v{1}")
    @MethodSource("advertisedVersions")
    void theOldestAndNewestAdvertisedVersionOfEveryApiIsAnsweredWithoutError(ApiKeys key, short version)
            throws Exception {
        // Given a simple valid request of that API at that version
        ApiMessage request = request(key, version);

        // When it is sent as a raw frame
        AbstractResponse response;
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            RequestHeader header = send(client, key, version, request);
            response = client.receive(header);
        }

        // Then the response parses at that version and reports no error
        assertThat(response.apiKey()).isEqualTo(key);
        assertThat(response.errorCounts().keySet()).as(response.toString()).containsOnly(Errors.NONE);
    }

    @Test
    void anApiVersionsVersionNewerThanServedIsAnsweredUnsupportedAtVersionZero() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            // Given an ApiVersions request at a version no broker knows (body unreadable at that version)
            int correlationId = CORRELATION.getAndIncrement();
            client.sendBytes(WireFormat.withSizePrefix(WireFormat.rawFrame(ApiKeys.API_VERSIONS.id, (short) 127,
                    (short) 2, correlationId, new byte[] {1, 2, 3})));

            // When the answer arrives, it is a v0 ApiVersions response (header v0), as Kafka sends it
            ByteBuffer frame = client.readFrame();
            ResponseHeader header = ResponseHeader.parse(frame, (short) 0);
            ApiVersionsResponse response = ApiVersionsResponse.parse(new ByteBufferAccessor(frame), (short) 0);

            // Then it says UNSUPPORTED_VERSION and which ApiVersions versions to retry with
            assertThat(header.correlationId()).isEqualTo(correlationId);
            assertThat(response.data().errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            ApiVersion apiVersions = response.data().apiKeys().find(ApiKeys.API_VERSIONS.id);
            assertThat(apiVersions.minVersion()).isZero();
            assertThat(apiVersions.maxVersion()).isEqualTo(ApiKeys.API_VERSIONS.latestVersion());
        }
    }

    @Test
    void anUnsupportedVersionOfAnotherApiClosesTheConnection() throws Exception {
        short tooNew = (short) (ApiKeys.METADATA.latestVersion(true) + 1);
        assertClosedAfter(ApiKeys.METADATA.id, tooNew, (short) 2);
    }

    @Test
    void aProduceVersionAdvertisedOnlyForLibrdkafkasSakeClosesTheConnection() throws Exception {
        // Kafka 4 lists Produce from v0 but refuses v0-2 by closing the connection
        assertClosedAfter(ApiKeys.PRODUCE.id, (short) 2, (short) 1);
    }

    @Test
    void anUnknownApiKeyClosesTheConnection() throws Exception {
        assertClosedAfter((short) 9999, (short) 0, (short) 1);
    }

    @Test
    void aKnownApiTheBrokerDoesNotServeClosesTheConnection() throws Exception {
        assertThat(apiVersions().find(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id)).as("ConsumerGroupHeartbeat is not advertised")
                .isNull();
        assertClosedAfter(ApiKeys.CONSUMER_GROUP_HEARTBEAT.id, ApiKeys.CONSUMER_GROUP_HEARTBEAT.latestVersion(),
                (short) 2);
    }

    private static void assertClosedAfter(short apiKey, short version, short headerVersion) throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            client.sendBytes(WireFormat.withSizePrefix(WireFormat.rawFrame(apiKey, version, headerVersion,
                    CORRELATION.getAndIncrement(), new byte[8])));
            assertThat(client.isClosedByServer()).as("connection closed without a response").isTrue();
        }
        // and the broker still serves other connections
        assertThat(apiVersions()).isNotEmpty();
    }

    private static ApiVersionCollection apiVersions() throws Exception {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            short version = ApiKeys.API_VERSIONS.latestVersion();
            RequestHeader header = send(client, ApiKeys.API_VERSIONS, version, request(ApiKeys.API_VERSIONS, version));
            ApiVersionsResponse response = (ApiVersionsResponse) client.receive(header);
            assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
            return response.data().apiKeys();
        }
    }

    private static RequestHeader send(RawKafkaClient client, ApiKeys key, short version, ApiMessage request)
            throws Exception {
        int correlationId = CORRELATION.getAndIncrement();
        ByteBuffer body = WireFormat.serialize(request, version);
        byte[] bytes = new byte[body.remaining()];
        body.get(bytes);
        client.sendBytes(WireFormat.withSizePrefix(
                WireFormat.rawFrame(key.id, version, key.requestHeaderVersion(version), correlationId, bytes)));
        return WireFormat.header(key, version, correlationId);
    }

    /** A simple request of {@code key} that is valid at {@code version} and should succeed. */
    private static ApiMessage request(ApiKeys key, short version) throws Exception {
        if (GroupRequests.isGroupApi(key)) {
            return new GroupRequests(broker.bootstrapServers(), broker.port(), TOPIC).request(key, version);
        }
        if (AdminRequests.isAdminApi(key)) {
            return new AdminRequests(broker.bootstrapServers(), TOPIC).request(key, version);
        }
        switch (key) {
            case PRODUCE: {
                TopicProduceData topic = version >= 13 ? new TopicProduceData().setTopicId(topicId)
                        : new TopicProduceData().setName(TOPIC);
                topic.partitionData().add(new PartitionProduceData().setIndex(0).setRecords(MemoryRecords.withRecords(
                        Compression.NONE, new SimpleRecord(("produce v" + version).getBytes(StandardCharsets.UTF_8)))));
                TopicProduceDataCollection topics = new TopicProduceDataCollection();
                topics.add(topic);
                return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000).setTopicData(topics);
            }
            case FETCH: {
                FetchTopic topic = version >= 13 ? new FetchTopic().setTopicId(topicId) : new FetchTopic().setTopic(TOPIC);
                topic.setPartitions(List.of(new FetchPartition().setPartition(0).setFetchOffset(0)
                        .setPartitionMaxBytes(1 << 20)));
                return new FetchRequestData().setMaxWaitMs(0).setMinBytes(0).setMaxBytes(1 << 20)
                        .setTopics(List.of(topic));
            }
            case LIST_OFFSETS:
                return new ListOffsetsRequestData().setReplicaId(-1).setTopics(List.of(new ListOffsetsTopic()
                        .setName(TOPIC).setPartitions(List.of(new ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(-2)))));
            case METADATA:
                return new MetadataRequestData().setTopics(List.of(new MetadataRequestTopic().setName(TOPIC)));
            case API_VERSIONS:
                return version >= 3
                        ? new ApiVersionsRequestData().setClientSoftwareName("strata-test").setClientSoftwareVersion("1.0")
                        : new ApiVersionsRequestData();
            case CREATE_TOPICS: {
                CreatableTopicCollection topics = new CreatableTopicCollection();
                topics.add(new CreatableTopic().setName(uniqueTopic("create", version)).setNumPartitions(1)
                        .setReplicationFactor((short) 1));
                return new CreateTopicsRequestData().setTimeoutMs(10_000).setTopics(topics);
            }
            case DELETE_TOPICS: {
                String name = uniqueTopic("delete", version);
                Clients.createTopic(broker.bootstrapServers(), name, 1, Map.of());
                DeleteTopicsRequestData delete = new DeleteTopicsRequestData().setTimeoutMs(10_000);
                return version >= 6 ? delete.setTopics(List.of(new DeleteTopicState().setName(name)))
                        : delete.setTopicNames(List.of(name));
            }
            case DELETE_RECORDS:
                return new DeleteRecordsRequestData().setTimeoutMs(10_000).setTopics(List.of(new DeleteRecordsTopic()
                        .setName(TOPIC).setPartitions(List.of(new DeleteRecordsPartition().setPartitionIndex(0)
                                .setOffset(0)))));
            case INIT_PRODUCER_ID:
                return new InitProducerIdRequestData().setTransactionalId(null).setTransactionTimeoutMs(60_000);
            case DESCRIBE_CLUSTER:
                return new DescribeClusterRequestData();
            case DESCRIBE_TOPIC_PARTITIONS:
                return new DescribeTopicPartitionsRequestData().setResponsePartitionLimit(2000)
                        .setTopics(List.of(new TopicRequest().setName(TOPIC)));
            case ALTER_PARTITION_REASSIGNMENTS:
                // A single broker leads every partition already: a move to itself is done at once
                return new AlterPartitionReassignmentsRequestData().setTimeoutMs(10_000).setTopics(List.of(
                        new AlterPartitionReassignmentsRequestData.ReassignableTopic().setName(TOPIC).setPartitions(
                                List.of(new AlterPartitionReassignmentsRequestData.ReassignablePartition()
                                        .setPartitionIndex(0).setReplicas(List.of(0))))));
            case LIST_PARTITION_REASSIGNMENTS:
                return new ListPartitionReassignmentsRequestData().setTimeoutMs(10_000).setTopics(null);
            default:
                throw new AssertionError("The broker advertises " + key + "; add a simple request for it to this test");
        }
    }

    private static String uniqueTopic(String prefix, short version) {
        return prefix + "-v" + version + "-" + TOPIC_COUNTER.incrementAndGet();
    }
}
