package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.StrataBroker;
import io.strata.broker.tiered.Workload.Sent;
import io.strata.tiering.remote.GroupManifest;
import io.strata.tiering.remote.GroupManifest.PartitionOffset;
import io.strata.tiering.remote.RemoteLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Committed group offsets survive the loss of the broker's disk: the broker copies them to the bucket in the
 * background ({@code groups/{group}.json}), and a broker started on an empty data directory restores them, so a
 * consumer of the group resumes exactly where it committed instead of resetting. Real consumers and a real S3 server.
 */
class GroupOffsetsRecoveryTest extends S3ServerTestBase {

    private static final String GROUP = "billing";

    /** A consumer of {@code group} subscribed to {@code topic}, committing by hand, resetting per {@code reset}. */
    private KafkaConsumer<byte[], byte[]> groupConsumer(String group, String topic, String reset) {
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of(ConsumerConfig.GROUP_ID_CONFIG, group,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false, ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset));
        consumer.subscribe(List.of(topic));
        return consumer;
    }

    /** The group's offsets as its object in the bucket holds them (an assertion error while there is none). */
    private Map<TopicPartition, Long> offsetsInBucket(String group) {
        GroupManifest manifest = GroupManifest.fromJson(bucket.get(RemoteLayout.groupManifest(group)));
        assertThat(manifest.groupId()).isEqualTo(group);
        return manifest.offsets().stream().collect(Collectors.toMap(
                o -> new TopicPartition(o.topic(), o.partition()), PartitionOffset::offset));
    }

    @Test
    void aConsumerResumesAtItsCommittedOffsetsOnABrokerRestoredFromTheBucket() throws Exception {
        // Given a tiered topic whose records are in the bucket
        createTopic("orders", 2, TIERED);
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        Map<TopicPartition, Workload> workloads = new LinkedHashMap<>();
        Map<TopicPartition, OffsetAndMetadata> committed = new LinkedHashMap<>();
        for (TopicPartition tp : List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1))) {
            Workload workload = new Workload(tp, 31L * tp.partition() + 7);
            workload.send(producer, 600, System.currentTimeMillis(), 1);
            workloads.put(tp, workload);
            long tieredEnd = awaitEverySealedSegmentCopied(tp);
            committed.put(tp, new OffsetAndMetadata(tieredEnd / (2 + tp.partition()), "position of " + tp));
        }

        // And a consumer of the group that committed offsets in the middle of each partition
        KafkaConsumer<byte[], byte[]> first = groupConsumer(GROUP, "orders", "earliest");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (first.assignment().size() < 2 && System.nanoTime() < deadline) {
            first.poll(Duration.ofMillis(200));
        }
        assertThat(first.assignment()).as("partitions assigned within 60 s").hasSize(2);
        first.commitSync(committed, Duration.ofSeconds(30));

        // When the commits have reached the bucket, the broker stops, its disk is lost, and a new one starts on
        // the same bucket
        Map<TopicPartition, Long> expected = new HashMap<>();
        committed.forEach((tp, offset) -> expected.put(tp, offset.offset()));
        await("the group's offsets in the bucket").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(offsetsInBucket(GROUP)).isEqualTo(expected));
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then the group's committed offsets are back, metadata included
        KafkaConsumer<byte[], byte[]> second = groupConsumer(GROUP, "orders", "none");
        assertThat(second.committed(committed.keySet(), Duration.ofSeconds(30))).isEqualTo(committed);

        // And a consumer of the group (one that would fail rather than reset) resumes exactly there
        Map<TopicPartition, ConsumerRecord<byte[], byte[]>> firstPolled = new HashMap<>();
        deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (firstPolled.size() < 2 && System.nanoTime() < deadline) {
            for (ConsumerRecord<byte[], byte[]> record : second.poll(Duration.ofMillis(200))) {
                firstPolled.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record);
            }
        }
        assertThat(firstPolled.keySet()).as("records of both partitions polled within 60 s")
                .isEqualTo(committed.keySet());
        for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : committed.entrySet()) {
            ConsumerRecord<byte[], byte[]> record = firstPolled.get(entry.getKey());
            Sent expectedRecord = workloads.get(entry.getKey()).from(entry.getValue().offset()).get(0);
            assertThat(record.offset()).as("first offset polled from %s", entry.getKey())
                    .isEqualTo(entry.getValue().offset());
            Workload.assertSame(List.of(record), List.of(expectedRecord));
        }
    }

    @Test
    void deletingAGroupDeletesItsObjectFromTheBucket() throws Exception {
        // Given a group whose offsets are in the bucket
        createTopic("orders", 1, Map.of());
        TopicPartition tp = new TopicPartition("orders", 0);
        new Workload(tp, 3).send(producer(Map.of()), 5, System.currentTimeMillis(), 1);
        admin().alterConsumerGroupOffsets("audit", Map.of(tp, new OffsetAndMetadata(5))).all()
                .get(30, TimeUnit.SECONDS);
        await("the group's object").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(offsetsInBucket("audit")).isEqualTo(Map.of(tp, 5L)));

        // When the group is deleted
        admin().deleteConsumerGroups(List.of("audit")).all().get(30, TimeUnit.SECONDS);

        // Then its object leaves the bucket
        await("the group's object deleted").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(bucket.list(RemoteLayout.GROUPS).keySet())
                        .doesNotContain(RemoteLayout.groupManifest("audit")));
        assertThat(bucket.list(RemoteLayout.GROUPS)).isEmpty();
        assertThat(Set.copyOf(bucket.list(RemoteLayout.TOPICS).keySet())).isNotEmpty();
    }
}
