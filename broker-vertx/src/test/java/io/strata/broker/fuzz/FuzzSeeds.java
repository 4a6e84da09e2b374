package io.strata.broker.fuzz;

import io.strata.broker.network.WireFormat;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.message.ApiMessageType;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;

/**
 * Writes the seed inputs of the fuzz targets (the committed regression inputs under
 * {@code src/test/resources/io/strata/broker/fuzz/}): well-formed requests the fuzzer starts mutating from, so
 * that it reaches the handlers' logic instead of stopping at the first length field. Run from the module
 * directory after changing it: {@code java -cp <test classpath> io.strata.broker.fuzz.FuzzSeeds}. Crashing
 * inputs Jazzer writes next to these seeds are kept as they are.
 *
 * <p>Seed layouts: {@code [api key: int16][version: int16][request body]} for the request targets,
 * {@code [maxFrameBytes: uint16][chunk seed: int64][byte stream]} for the framing target, and one v2 record batch
 * for the produce-records target.
 */
public final class FuzzSeeds {
    private static final Path RESOURCES = Path.of("src", "test", "resources", "io", "strata", "broker", "fuzz");
    private static final String TOPIC = "fuzz-seed";
    private static final List<Compression> COMPRESSIONS = List.of(Compression.NONE, Compression.gzip().build(),
            Compression.snappy().build(), Compression.lz4().build(), Compression.zstd().build());

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Map<String, byte[]> requests = requestSeeds();
        for (String target : List.of("FrameDecoderFuzzTestInputs/requestBodiesAreDecodedOrRejected",
                "RequestHandlerFuzzTestInputs/everyRequestIsAnsweredOrClosedAndTheBrokerServesOn")) {
            write(target, requests);
        }
        write("FrameDecoderFuzzTestInputs/framesReassembleIdenticallyWhateverTheChunking", streamSeeds());
        write("ProduceRecordsFuzzTestInputs/acknowledgedBatchesAreReadableAndTheRestAreRefused", batchSeeds());
    }

    private static void write(String target, Map<String, byte[]> seeds) throws IOException {
        Path dir = RESOURCES.resolve(target);
        Files.createDirectories(dir);
        for (Map.Entry<String, byte[]> seed : seeds.entrySet()) {
            Files.write(dir.resolve(seed.getKey()), seed.getValue());
        }
    }

    private static Map<String, byte[]> requestSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seed(seeds, ApiKeys.API_VERSIONS, 3, new ApiVersionsRequestData()
                .setClientSoftwareName("fuzz").setClientSoftwareVersion("1.0"));
        seed(seeds, ApiKeys.METADATA, 12, new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))
                .setAllowAutoTopicCreation(true));
        seed(seeds, ApiKeys.METADATA, 12, new MetadataRequestData().setTopics(null));
        seed(seeds, ApiKeys.CREATE_TOPICS, 7, new CreateTopicsRequestData()
                .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                        new CreateTopicsRequestData.CreatableTopic().setName(TOPIC).setNumPartitions(2)
                                .setReplicationFactor((short) 1)).iterator()))
                .setTimeoutMs(10_000));
        for (Compression compression : COMPRESSIONS) {
            seed(seeds, "seed-produce-v12-" + compression.type().name, ApiKeys.PRODUCE, 12, produce(MemoryRecords.withRecords(compression,
                    new SimpleRecord(1_700_000_000_000L, "k".getBytes(StandardCharsets.UTF_8),
                            "v".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord(1_700_000_000_001L, null, "second".getBytes(StandardCharsets.UTF_8)))));
        }
        seed(seeds, ApiKeys.FETCH, 12, new FetchRequestData().setReplicaId(-1).setMaxWaitMs(10).setMinBytes(1)
                .setMaxBytes(1 << 20).setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(TOPIC)
                        .setPartitions(List.of(new FetchRequestData.FetchPartition().setPartition(0)
                                .setFetchOffset(0).setPartitionMaxBytes(1 << 20))))));
        seed(seeds, ApiKeys.LIST_OFFSETS, 7, new ListOffsetsRequestData().setReplicaId(-1)
                .setTopics(List.of(new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC)
                        .setPartitions(List.of(new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(-1))))));
        seed(seeds, ApiKeys.JOIN_GROUP, 7, new JoinGroupRequestData().setGroupId("fuzz-group").setSessionTimeoutMs(10_000)
                .setRebalanceTimeoutMs(10).setMemberId("").setProtocolType("consumer")
                .setProtocols(new JoinGroupRequestData.JoinGroupRequestProtocolCollection(List.of(
                        new JoinGroupRequestData.JoinGroupRequestProtocol().setName("range")
                                .setMetadata(new byte[] {0, 1})).iterator())));
        seed(seeds, ApiKeys.OFFSET_COMMIT, 8, new OffsetCommitRequestData().setGroupId("fuzz-group")
                .setGenerationIdOrMemberEpoch(-1)
                .setTopics(List.of(new OffsetCommitRequestData.OffsetCommitRequestTopic().setName(TOPIC)
                        .setPartitions(List.of(new OffsetCommitRequestData.OffsetCommitRequestPartition()
                                .setPartitionIndex(0).setCommittedOffset(1))))));
        // Every other API the broker may serve, with its default (mostly empty) body at its latest stable version.
        for (ApiKeys key : List.of(ApiKeys.DELETE_TOPICS, ApiKeys.DELETE_RECORDS, ApiKeys.DESCRIBE_CONFIGS,
                ApiKeys.ALTER_CONFIGS, ApiKeys.INCREMENTAL_ALTER_CONFIGS, ApiKeys.CREATE_PARTITIONS,
                ApiKeys.DESCRIBE_LOG_DIRS, ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.DESCRIBE_PRODUCERS,
                ApiKeys.INIT_PRODUCER_ID, ApiKeys.DESCRIBE_CLUSTER, ApiKeys.DESCRIBE_TOPIC_PARTITIONS,
                ApiKeys.FIND_COORDINATOR, ApiKeys.SYNC_GROUP, ApiKeys.HEARTBEAT, ApiKeys.LEAVE_GROUP,
                ApiKeys.OFFSET_FETCH, ApiKeys.LIST_GROUPS, ApiKeys.DESCRIBE_GROUPS, ApiKeys.DELETE_GROUPS,
                ApiKeys.OFFSET_DELETE)) {
            seed(seeds, key, key.latestVersion(false), ApiMessageType.fromApiKey(key.id).newRequest());
        }
        return seeds;
    }

    private static ProduceRequestData produce(MemoryRecords records) {
        return new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                        new ProduceRequestData.TopicProduceData().setName(TOPIC).setPartitionData(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(0).setRecords(records))))
                        .iterator()));
    }

    private static void seed(Map<String, byte[]> seeds, ApiKeys key, int version, ApiMessage body) {
        seed(seeds, "seed-" + key.name().toLowerCase() + "-v" + version, key, version, body);
    }

    private static void seed(Map<String, byte[]> seeds, String name, ApiKeys key, int version, ApiMessage body) {
        byte[] serialized = serialize(body, (short) version);
        ByteBuffer seed = ByteBuffer.allocate(4 + serialized.length).putShort(key.id).putShort((short) version)
                .put(serialized);
        int n = 2;
        String unique = name;
        while (seeds.containsKey(unique)) {
            unique = name + "-" + n++;
        }
        seeds.put(unique, seed.array());
    }

    /** One v2 batch per compression type, three records with keys, headers and distinct timestamps. */
    private static Map<String, byte[]> batchSeeds() {
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        for (Compression compression : COMPRESSIONS) {
            MemoryRecords records = MemoryRecords.withRecords(compression,
                    new SimpleRecord(1_700_000_000_000L, "k1".getBytes(StandardCharsets.UTF_8),
                            "first value".getBytes(StandardCharsets.UTF_8),
                            new Header[] {new RecordHeader("h", "x".getBytes(StandardCharsets.UTF_8))}),
                    new SimpleRecord(1_700_000_000_001L, null, "second value".getBytes(StandardCharsets.UTF_8)),
                    new SimpleRecord(1_700_000_000_002L, "k3".getBytes(StandardCharsets.UTF_8), null));
            ByteBuffer buffer = records.buffer();
            byte[] batch = new byte[buffer.remaining()];
            buffer.get(batch);
            seeds.put("seed-batch-" + compression.type().name, batch);
        }
        return seeds;
    }

    private static Map<String, byte[]> streamSeeds() {
        byte[] apiVersions = frame(ApiKeys.API_VERSIONS, 3, new ApiVersionsRequestData()
                .setClientSoftwareName("fuzz").setClientSoftwareVersion("1.0"));
        byte[] metadata = frame(ApiKeys.METADATA, 12, new MetadataRequestData().setTopics(null));
        Map<String, byte[]> seeds = new LinkedHashMap<>();
        seeds.put("seed-two-requests-and-a-partial-one", stream(1024, 7,
                withSize(apiVersions), withSize(metadata), partial(withSize(metadata))));
        seeds.put("seed-oversized-after-one-request", stream(64, 11, withSize(apiVersions),
                ByteBuffer.allocate(4).putInt(65).array(), new byte[8]));
        seeds.put("seed-empty-frame-then-negative-size", stream(100, 3, new byte[4],
                ByteBuffer.allocate(4).putInt(-1).array()));
        seeds.put("seed-partial-size-prefix", stream(100, 5, withSize(apiVersions), new byte[] {0, 0}));
        return seeds;
    }

    private static byte[] stream(int maxFrameBytes, long chunkSeed, byte[]... parts) {
        List<byte[]> all = new ArrayList<>(List.of(parts));
        int size = 10 + all.stream().mapToInt(part -> part.length).sum();
        ByteBuffer stream = ByteBuffer.allocate(size).putShort((short) maxFrameBytes).putLong(chunkSeed);
        all.forEach(stream::put);
        return stream.array();
    }

    private static byte[] partial(byte[] bytes) {
        return java.util.Arrays.copyOf(bytes, bytes.length / 2);
    }

    private static byte[] withSize(byte[] frame) {
        return ByteBuffer.allocate(4 + frame.length).putInt(frame.length).put(frame).array();
    }

    private static byte[] frame(ApiKeys key, int version, ApiMessage body) {
        return WireFormat.rawFrame(key.id, (short) version, key.requestHeaderVersion((short) version), 1,
                serialize(body, (short) version)).array();
    }

    private static byte[] serialize(ApiMessage message, short version) {
        return WireFormat.serialize(message, version).array();
    }
}
