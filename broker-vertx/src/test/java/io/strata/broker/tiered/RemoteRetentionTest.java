package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.RemoteLayout;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetOutOfRangeException;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * Total retention over both tiers and topic deletion, seen from Kafka clients and from the bucket:
 * expired remote segments leave the bucket and the manifest, the log start offset advances, and a
 * consumer below it is reset by its own policy.
 */
class RemoteRetentionTest extends S3ServerTestBase {

    private static final long HOUR = TimeUnit.HOURS.toMillis(1);

    @Test
    void retentionByTimeDeletesRemoteSegmentsAndConsumersBelowTheLogStartAreReset() throws Exception {
        // Given a topic keeping 5 s, whose first 1500 records (timestamped now) are in the bucket, and 1500 more
        // records timestamped half an hour ahead
        TopicPartition tp = new TopicPartition("by-time", 0);
        createTopic(tp.topic(), 1, withTiered(Map.of("retention.ms", "5000")));
        Workload workload = new Workload(tp, 10);
        long now = System.currentTimeMillis();
        workload.send(producer(Map.of()), 1500, now, 1);
        awaitRemoteOnlyUpTo(tp, 1000);
        UUID topicId = topicId(tp.topic());
        String firstSegment = RemoteLayout.segment(tp, topicId, 0);
        assertThat(bucket.list(RemoteLayout.partitionPrefix(tp, topicId))).containsKey(firstSegment);
        workload.send(producer(Map.of()), 1500, now + HOUR / 2, 1);

        // When total retention has run: every segment holding only the first records is gone from both tiers
        PartitionLog log = log(tp);
        await("the oldest remote segment holds the first new record").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(100))
                .untilAsserted(() -> assertThat(bucket.manifest(tp, topicId).segments()).first()
                        .satisfies(oldest -> assertThat(oldest.lastOffset()).isGreaterThanOrEqualTo(1500)));
        long logStart = log.logStartOffset();
        assertThat(logStart).isBetween(1300L, 1500L);

        // Then the bucket holds no segment below it, the manifest agrees, and remote segments were deleted
        assertNothingBelowLogStartInTheBucket(tp, logStart);
        assertThat(bucket.list(RemoteLayout.partitionPrefix(tp, topicId))).doesNotContainKey(firstSegment);
        assertThat(broker.logs().remote().orElseThrow().metrics().deletedSegments()).isPositive();
        assertThat(admin().listOffsets(Map.of(tp, OffsetSpec.earliest())).partitionResult(tp)
                .get(30, TimeUnit.SECONDS).offset()).isEqualTo(logStart);

        // And consumers below the log start get OFFSET_OUT_OF_RANGE and follow auto.offset.reset
        KafkaConsumer<byte[], byte[]> strict = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "none"));
        strict.assign(List.of(tp));
        strict.seek(tp, 0);
        assertThatThrownBy(() -> {
            for (int i = 0; i < 100; i++) {
                strict.poll(Duration.ofMillis(200));
            }
        }).isInstanceOf(OffsetOutOfRangeException.class);

        KafkaConsumer<byte[], byte[]> earliest = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest"));
        earliest.assign(List.of(tp));
        earliest.seek(tp, 0);
        Workload.assertSame(poll(earliest, (int) (3000 - logStart)), workload.from(logStart));

        KafkaConsumer<byte[], byte[]> latest = consumer(Map.of(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"));
        latest.assign(List.of(tp));
        latest.seek(tp, 0);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(latest.poll(Duration.ofMillis(100))).isEmpty();
            assertThat(latest.position(tp)).isEqualTo(3000);
        });
    }

    @Test
    void retentionBySizeDeletesTheOldestRemoteSegments() throws Exception {
        // Given a topic keeping 64 KiB in total (both tiers)
        TopicPartition tp = new TopicPartition("by-size", 0);
        long retentionBytes = 64 * 1024;
        createTopic(tp.topic(), 1, withTiered(Map.of("retention.bytes", Long.toString(retentionBytes))));
        Workload workload = new Workload(tp, 11);

        // When about 700 KiB are produced
        workload.send(producer(Map.of()), 3000, System.currentTimeMillis(), 1);

        // Then the remote segments still kept fit the limit, the older ones are gone from the bucket
        PartitionLog log = log(tp);
        UUID topicId = topicId(tp.topic());
        await("size retention over both tiers").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    PartitionManifest manifest = bucket.manifest(tp, topicId);
                    long remoteBytes = manifest.segments().stream().mapToLong(ManifestSegment::sizeBytes).sum();
                    assertThat(log.logStartOffset()).isGreaterThan(2000);
                    assertThat(manifest.logStartOffset()).isEqualTo(log.logStartOffset());
                    assertThat(remoteBytes).isLessThanOrEqualTo(retentionBytes);
                    assertThat(manifest.segments()).isNotEmpty();
                });
        long logStart = log.logStartOffset();
        assertNothingBelowLogStartInTheBucket(tp, logStart);

        // And what is left reads back from the log start on
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Workload.assertSame(poll(consumer, (int) (3000 - logStart)), workload.from(logStart));
    }

    @Test
    void deleteRecordsInTheRemoteTierRemovesTheSegmentsBelowIt() throws Exception {
        // Given a mostly remote-only partition
        TopicPartition tp = new TopicPartition("delete-records", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 12);
        workload.send(producer(Map.of()), 2000, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(tp, 1500);
        UUID topicId = topicId(tp.topic());
        long target = bucket.manifest(tp, topicId).segments().get(5).baseOffset() + 7;

        // When Admin.deleteRecords moves the log start into the middle of a remote segment
        long lowWatermark = admin().deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(target))).lowWatermarks()
                .get(tp).get(30, TimeUnit.SECONDS).lowWatermark();

        // Then the segments wholly below it leave the bucket, and reading from the beginning starts exactly there
        assertThat(lowWatermark).isEqualTo(target);
        assertNothingBelowLogStartInTheBucket(tp, target);
        assertThat(bucket.manifest(tp, topicId).segments().get(0).baseOffset()).isLessThan(target);
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Workload.assertSame(poll(consumer, (int) (2000 - target)), workload.from(target));
    }

    @Test
    void deletingATopicRemovesItsObjectsFromTheBucket() throws Exception {
        // Given two tiered topics with segments in the bucket
        TopicPartition doomed = new TopicPartition("doomed", 0);
        TopicPartition kept = new TopicPartition("kept", 0);
        createTopic(doomed.topic(), 2, TIERED);
        createTopic(kept.topic(), 1, TIERED);
        new Workload(doomed, 20).send(producer(Map.of()), 1000, System.currentTimeMillis(), 1);
        new Workload(new TopicPartition("doomed", 1), 21).send(producer(Map.of()), 1000, System.currentTimeMillis(), 1);
        new Workload(kept, 22).send(producer(Map.of()), 1000, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(doomed, 500);
        awaitRemoteOnlyUpTo(new TopicPartition("doomed", 1), 500);
        awaitRemoteOnlyUpTo(kept, 500);
        String doomedPrefix = RemoteLayout.topicPrefix(doomed.topic(), topicId(doomed.topic()));
        String keptPrefix = RemoteLayout.topicPrefix(kept.topic(), topicId(kept.topic()));
        Set<String> keptObjects = bucket.list(keptPrefix).keySet();
        assertThat(bucket.list(doomedPrefix)).containsKey(doomedPrefix + "topic.json")
                .containsKey(doomedPrefix + "1/manifest.json");

        // When the topic is deleted
        admin().deleteTopics(List.of(doomed.topic())).all().get(30, TimeUnit.SECONDS);

        // Then its objects leave the bucket, and the other topic's stay
        await("objects of the deleted topic removed").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(bucket.list(doomedPrefix)).isEmpty());
        assertThat(bucket.list(keptPrefix).keySet()).containsAll(keptObjects);
    }

    /**
     * Waits until the bucket settles (copies and deletions in flight finish): the manifest starts at
     * {@code logStart}, lists segments at or above it only, and names exactly the partition's objects.
     */
    private void assertNothingBelowLogStartInTheBucket(TopicPartition tp, long logStart) {
        UUID topicId = topicId(tp.topic());
        await("bucket of " + tp + " settled at log start " + logStart).atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    PartitionManifest manifest = bucket.assertManifestMatchesObjects(tp, topicId);
                    assertThat(manifest.logStartOffset()).isEqualTo(logStart);
                    assertThat(manifest.segments()).isNotEmpty().allSatisfy(segment ->
                            assertThat(segment.lastOffset()).as("last offset of remote segment %d",
                                    segment.baseOffset()).isGreaterThanOrEqualTo(logStart));
                });
    }

    private static Map<String, String> withTiered(Map<String, String> configs) {
        Map<String, String> all = new HashMap<>(TIERED);
        all.putAll(configs);
        return all;
    }
}
