package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.storage.KafkaDumpLog;
import io.strata.broker.tiered.Workload.Sent;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.TopicManifest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bucket as a user sees it with another S3 client (MinIO's): keys by topic, topic id, partition
 * and 20-digit base offset; manifests that describe the objects exactly (sizes, CRC-32C, offsets and
 * timestamps); segment objects that Kafka's own {@code kafka-dump-log} reads.
 */
class BucketLayoutTest extends S3ServerTestBase {

    private static final Pattern KEY = Pattern.compile(
            "_claim\\.json|cluster\\.json|topics/layout-[A-Za-z0-9_-]{22}/(topic\\.json|[01]/(manifest\\.json|\\d{20}\\.(log|index)))");

    @TempDir
    Path downloads;

    @Test
    void bucketKeysManifestsAndSegmentsAreWhatTheLayoutSays() throws Exception {
        // Given a two-partition tiered topic whose first partition is mostly in the bucket
        Instant started = Instant.now();
        TopicPartition tp = new TopicPartition("layout", 0);
        createTopic(tp.topic(), 2, TIERED);
        Workload workload = new Workload(tp, 40);
        workload.send(producer(Map.of(ProducerConfig.COMPRESSION_TYPE_CONFIG, "gzip")), 2000,
                System.currentTimeMillis(), 1);
        new Workload(new TopicPartition("layout", 1), 41).send(producer(Map.of()), 300, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(tp, 1500);
        UUID topicId = topicId(tp.topic());
        Uuid kafkaTopicId = admin().describeTopics(List.of(tp.topic())).allTopicNames().get(30, TimeUnit.SECONDS)
                .get(tp.topic()).topicId();
        String folder = "topics/layout-" + kafkaTopicId + "/0/";

        // When a second S3 client lists the bucket and reads the manifests
        PartitionManifest manifest = awaitSettledManifest(tp, topicId);
        Map<String, Long> objects = bucket.listAll();
        TopicManifest topic = TopicManifest.fromJson(bucket.get("topics/layout-" + kafkaTopicId + "/topic.json"));

        // Then every key follows the layout, under the topic's name and Kafka's form of its id
        assertThat(objects.keySet()).allSatisfy(key -> assertThat(key).matches(KEY));
        assertThat(objects).containsKey("_claim.json").containsKey(folder + "manifest.json").containsKey(folder + "00000000000000000000.log")
                .containsKey(folder + "00000000000000000000.index");
        assertThat(topic.name()).isEqualTo(tp.topic());
        assertThat(topic.topicId()).isEqualTo(kafkaTopicId.toString());
        assertThat(topic.partitions()).isEqualTo(2);
        assertThat(topic.configs()).containsEntry("segment.bytes", "16384");

        // And the manifest lists contiguous segments from offset 0, each matching its object byte for byte
        assertThat(manifest.topic()).isEqualTo(tp.topic());
        assertThat(manifest.topicId()).isEqualTo(kafkaTopicId.toString());
        assertThat(manifest.partition()).isZero();
        assertThat(manifest.logStartOffset()).isZero();
        assertThat(manifest.writerGeneration()).as("the generation of the broker's claim").isEqualTo(1);
        List<ManifestSegment> segments = manifest.segments();
        assertThat(segments).hasSizeGreaterThan(5);
        assertThat(segments.get(0).baseOffset()).isZero();
        for (int i = 0; i < segments.size(); i++) {
            ManifestSegment segment = segments.get(i);
            if (i > 0) {
                assertThat(segment.baseOffset()).isEqualTo(segments.get(i - 1).lastOffset() + 1);
            }
            assertThat(segment.object()).isEqualTo(String.format("%020d.log", segment.baseOffset()));
            assertThat(segment.index()).isEqualTo(String.format("%020d.index", segment.baseOffset()));
            byte[] bytes = bucket.get(folder + segment.object());
            assertThat((long) bytes.length).isEqualTo(segment.sizeBytes());
            CRC32C crc = new CRC32C();
            crc.update(bytes);
            assertThat(segment.crc32c()).as("crc32c of %s", segment.object())
                    .isEqualTo(HexFormat.of().toHexDigits((int) crc.getValue()));
            List<Sent> records = workload.sent().stream()
                    .filter(s -> s.offset() >= segment.baseOffset() && s.offset() <= segment.lastOffset()).toList();
            assertThat(segment.firstTimestamp()).isEqualTo(records.get(0).timestamp());
            long maxTimestamp = records.stream().mapToLong(Sent::timestamp).max().orElseThrow();
            assertThat(segment.maxTimestamp()).isEqualTo(maxTimestamp);
            assertThat(segment.offsetOfMaxTimestamp()).isEqualTo(records.stream()
                    .filter(s -> s.timestamp() == maxTimestamp).findFirst().orElseThrow().offset());
            assertThat(Instant.parse(segment.uploadTime())).isBetween(started, Instant.now());
        }

        // And Kafka's DumpLogSegments reads a downloaded segment: every record, its offset and key, valid CRCs
        ManifestSegment second = segments.get(1);
        Path file = downloads.resolve(second.object());
        Files.write(file, bucket.get(folder + second.object()));
        String dump = KafkaDumpLog.dump(file);
        assertThat(dump).contains("baseOffset: " + second.baseOffset() + " ");
        assertThat(dump).contains("compresscodec: gzip").contains("isvalid: true").doesNotContain("isvalid: false");
        for (long offset = second.baseOffset(); offset <= second.lastOffset(); offset++) {
            Sent sent = workload.sent().get((int) offset);
            assertThat(dump).containsPattern("offset: " + offset + " .*keySize: " + sent.key().length
                    + " .*key: " + Pattern.quote(new String(sent.key(), StandardCharsets.UTF_8)));
        }
    }

    private PartitionManifest awaitSettledManifest(TopicPartition tp, UUID topicId) {
        PartitionManifest[] settled = new PartitionManifest[1];
        await("manifest and objects agree").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> settled[0] = bucket.assertManifestMatchesObjects(tp, topicId));
        return settled[0];
    }
}
