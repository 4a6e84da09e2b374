package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strata.broker.StrataBroker;
import io.strata.index.ProducerStateEntry;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.RemoteLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.Uuid;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Topic deletion and restore against a real S3 server (issue 12, defect 5): a deletion whose bucket part
 * fails is retried until the objects are gone, also across a restart; a restore that meets two incarnations
 * of one topic name restores the live one; a restore brings back the cluster id and the producer-id counter;
 * a hostile manifest in the bucket is refused, naming the object, before anything reaches the disk.
 */
class BucketDeletionAndRestoreTest extends S3ServerTestBase {

    private static final TopicPartition ORDERS = new TopicPartition("orders", 0);

    @Test
    void topicDeletionWhoseBucketDeleteFailsIsRetriedUntilTheObjectsAreGone() throws Exception {
        // Given a tiered topic whose segments are in the bucket
        String prefix = tieredTopicInTheBucket();

        // When the topic is deleted while the S3 server is down, and the server comes back a while later
        S3ProxyServer.Settings settings = s3.settings();
        int port = s3.port();
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        Logger strata = (Logger) LoggerFactory.getLogger("io.strata");
        strata.addAppender(log);
        try {
            s3.close();
            admin().deleteTopics(List.of(ORDERS.topic())).all().get(30, TimeUnit.SECONDS);
            await("a failed deletion attempt").atMost(Duration.ofSeconds(60)).until(() -> List.copyOf(log.list)
                    .stream().anyMatch(e -> e.getFormattedMessage().startsWith("Could not delete the objects of topic")));
        } finally {
            strata.detachAppender(log);
        }
        s3 = S3ProxyServer.start(settings.withPort(port));

        // Then the deletion is retried and every object of the topic goes
        await("objects of the deleted topic gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(bucket.list(prefix)).isEmpty());
    }

    @Test
    void topicDeletionInterruptedByARestartFinishesAfterTheRestart() throws Exception {
        // Given a tiered topic whose segments are in the bucket
        String prefix = tieredTopicInTheBucket();

        // When the topic is deleted while the S3 server is down, the broker stops, and both come back
        S3ProxyServer.Settings settings = s3.settings();
        int port = s3.port();
        s3.close();
        admin().deleteTopics(List.of(ORDERS.topic())).all().get(30, TimeUnit.SECONDS);
        stopBroker();
        s3 = S3ProxyServer.start(settings.withPort(port));
        assertThat(bucket.list(prefix)).as("the failed deletion left the objects").isNotEmpty();
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then the deletion resumes and every object of the topic goes
        await("objects of the deleted topic gone").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(bucket.list(prefix)).isEmpty());
        assertThat(broker.logs().topic(ORDERS.topic())).isEmpty();
    }

    @Test
    void restoreWithTwoIncarnationsOfOneNameRestoresTheLiveOne() throws Exception {
        // Given the objects of a deleted incarnation of "orders" left in the bucket (a deletion that failed)
        String oldPrefix = tieredTopicInTheBucket();
        Map<String, byte[]> leftOver = new LinkedHashMap<>();
        bucket.list(oldPrefix).keySet().forEach(key -> leftOver.put(key, bucket.get(key)));
        admin().deleteTopics(List.of(ORDERS.topic())).all().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(60)).until(() -> bucket.list(oldPrefix).isEmpty());
        leftOver.forEach(bucket::put);

        // And a live incarnation of the same name, created after it, with its own records in the bucket
        long deletedBy = System.currentTimeMillis();
        await().until(() -> System.currentTimeMillis() > deletedBy); // created at a later millisecond
        createTopic(ORDERS.topic(), 1, TIERED);
        UUID liveId = topicId(ORDERS.topic());
        Workload live = new Workload(ORDERS, 7);
        live.send(producer(Map.of()), 600, System.currentTimeMillis(), 1);
        long tieredEnd = awaitEverySealedSegmentCopied(ORDERS);

        // When the broker restarts on an empty data directory
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then the live incarnation is restored, with its records, and the old one is deleted from the bucket
        assertThat(topicId(ORDERS.topic())).isEqualTo(liveId);
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(ORDERS));
        consumer.seekToBeginning(List.of(ORDERS));
        List<Workload.Sent> tiered = live.sent().stream().filter(s -> s.offset() < tieredEnd).toList();
        Workload.assertSame(poll(consumer, tiered.size()), tiered);
        await("objects of the old incarnation gone").atMost(Duration.ofSeconds(60))
                .untilAsserted(() -> assertThat(bucket.list(oldPrefix)).isEmpty());
    }

    @Test
    void restoreBringsBackTheClusterIdAndTheProducerIdCounter() throws Exception {
        // Given a broker whose idempotent producers got ids, with a topic in the bucket
        String clusterId = admin().describeCluster().clusterId().get(30, TimeUnit.SECONDS);
        tieredTopicInTheBucket();
        long highest = log(ORDERS).producerStates().stream().mapToLong(ProducerStateEntry::producerId).max()
                .orElseThrow();
        for (int i = 0; i < 5; i++) {
            highest = Math.max(highest, broker.logs().allocateProducerId());
        }

        // When the broker restarts on an empty data directory
        stopBroker();
        deleteRecursively(dataDir);
        broker = StrataBroker.start(brokerConfig(dataDir));

        // Then the cluster id is the same, and a new idempotent producer gets an id never handed out before
        assertThat(admin().describeCluster().clusterId().get(30, TimeUnit.SECONDS)).isEqualTo(clusterId);
        long before = highest;
        new Workload(ORDERS, 11).send(producer(Map.of()), 5, System.currentTimeMillis(), 1);
        assertThat(log(ORDERS).producerStates()).extracting(ProducerStateEntry::producerId)
                .allSatisfy(id -> assertThat(id).isGreaterThan(before));
        assertThat(broker.logs().allocateProducerId()).isGreaterThan(before);
    }

    @Test
    void hostileTopicManifestIsRefusedNamingTheObjectWithoutCreatingFiles() throws Exception {
        // Given a bucket holding a topic manifest whose name climbs out of the data directory
        stopBroker();
        String id = Uuid.randomUuid().toString();
        String key = "topics/evil-" + id + "/topic.json";
        bucket.put(key, manifest("../../etc", id, 1));

        // When a broker restores from it into a data directory nested in this test's own directory (so that
        // what the name climbs to stays inside it)
        Path nested = dataDir.resolve("a/b/data");
        assertThatThrownBy(() -> broker = StrataBroker.start(brokerConfig(nested)))

                // Then it refuses, naming the object, and creates nothing where the name points
                .hasMessageContaining(key).hasMessageContaining("invalid topic");
        assertThat(nested.resolve("../../etc-0").normalize()).doesNotExist();
        assertThat(dataDir.resolve("a/etc-0")).doesNotExist();
    }

    @Test
    void topicManifestWithAHugePartitionCountIsRefusedWithoutCreatingFiles() throws Exception {
        // Given a bucket holding a topic manifest that claims 2^31 - 1 partitions
        stopBroker();
        String id = Uuid.randomUuid().toString();
        String key = "topics/huge-" + id + "/topic.json";
        bucket.put(key, manifest("huge", id, Integer.MAX_VALUE));

        // When a broker restores from it, Then it refuses at once, naming the object, and opens no partition
        assertThatThrownBy(() -> broker = StrataBroker.start(brokerConfig(dataDir)))
                .hasMessageContaining(key).hasMessageContaining("partition count");
        assertThat(partitionDirectories()).isEmpty();
    }

    private static byte[] manifest(String name, String id, int partitions) {
        return ("{ \"version\" : 1, \"name\" : \"" + name + "\", \"topicId\" : \"" + id + "\", \"partitions\" : "
                + partitions + ", \"replicationFactor\" : 1, \"configs\" : { }, \"createTime\" : "
                + "\"2026-12-01T02:59:00Z\" }").getBytes(StandardCharsets.UTF_8);
    }

    private List<Path> partitionDirectories() throws Exception {
        if (!Files.isDirectory(dataDir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dataDir)) {
            return entries.filter(p -> p.getFileName().toString().matches(".*-\\d+")).toList();
        }
    }

    /** Creates tiered topic "orders", fills it until segments are in the bucket; returns its key prefix. */
    private String tieredTopicInTheBucket() throws Exception {
        createTopic(ORDERS.topic(), 1, TIERED);
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        new Workload(ORDERS, 3).send(producer, 600, System.currentTimeMillis(), 1);
        awaitEverySealedSegmentCopied(ORDERS);
        String prefix = RemoteLayout.topicPrefix(ORDERS.topic(), topicId(ORDERS.topic()));
        assertThat(bucket.list(prefix)).isNotEmpty();
        return prefix;
    }
}
