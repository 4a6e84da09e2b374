package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strata.broker.StrataBroker;
import io.strata.broker.tiered.Workload.Sent;
import io.strata.index.TopicRecord;
import io.strata.tiering.remote.BucketRestore;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The stateless broker: stop it, delete its data directory entirely, start a new broker on the same
 * bucket, and every record that was in the bucket is served again, with topics, offsets and time
 * lookups rebuilt from the bucket alone.
 */
class StatelessRecoveryTest extends S3ServerTestBase {

    @Test
    void aBrokerWithAnEmptyDiskRestoresFromTheBucketAndServesEveryTieredRecord() throws Exception {
        // Given two tiered topics, three partitions, whose sealed segments are all in the bucket
        createTopic("orders", 2, TIERED);
        createTopic("events", 1, TIERED);
        Map<TopicPartition, Workload> workloads = new LinkedHashMap<>();
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        long timestamp = System.currentTimeMillis() - 60_000;
        for (TopicPartition tp : List.of(new TopicPartition("orders", 0), new TopicPartition("orders", 1),
                new TopicPartition("events", 0))) {
            Workload workload = new Workload(tp, tp.hashCode());
            workload.send(producer, 1200, timestamp, 5);
            workloads.put(tp, workload);
        }
        Map<TopicPartition, Long> tieredEnds = new LinkedHashMap<>();
        for (TopicPartition tp : workloads.keySet()) {
            tieredEnds.put(tp, awaitEverySealedSegmentCopied(tp));
        }
        Map<String, TopicRecord> topics = Map.of("orders", broker.logs().topic("orders").orElseThrow().record(),
                "events", broker.logs().topic("events").orElseThrow().record());

        // When the broker stops, its data directory is deleted, and a new broker starts on the same bucket
        stopBroker();
        deleteRecursively(dataDir);
        ListAppender<ILoggingEvent> restoreLog = capture(BucketRestore.class);
        try {
            broker = StrataBroker.start(brokerConfig(dataDir));
        } finally {
            ((Logger) LoggerFactory.getLogger(BucketRestore.class)).detachAppender(restoreLog);
        }

        // Then it says what it restored and how far it got
        List<String> messages = restoreLog.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).anyMatch(m -> m.startsWith("Restoring 2 topic(s), 3 partition(s) with data"));
        assertThat(messages).anyMatch(m -> m.contains("3/3 partitions") && m.contains("(100%)"));
        assertThat(messages).anyMatch(m -> m.startsWith("Restored 2 topic(s), 3 partition(s)"));

        // And the topics are back with their ids, partition counts and configs
        Map<String, TopicDescription> described = admin().describeTopics(List.of("orders", "events"))
                .allTopicNames().get(30, TimeUnit.SECONDS);
        for (TopicRecord before : topics.values()) {
            TopicRecord after = broker.logs().topic(before.name()).orElseThrow().record();
            assertThat(after).isEqualTo(before);
            assertThat(described.get(before.name()).partitions()).hasSize(before.partitions());
        }

        // And every tiered record is served, exactly as produced; time lookups work; produce goes on after it
        for (Map.Entry<TopicPartition, Workload> entry : workloads.entrySet()) {
            TopicPartition tp = entry.getKey();
            long tieredEnd = tieredEnds.get(tp);
            List<Sent> tiered = entry.getValue().sent().stream().filter(s -> s.offset() < tieredEnd).toList();
            assertThat(admin().listOffsets(Map.of(tp, OffsetSpec.latest())).partitionResult(tp)
                    .get(30, TimeUnit.SECONDS).offset()).as("log end of %s", tp).isEqualTo(tieredEnd);

            KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
            Workload.assertSame(poll(consumer, tiered.size()), tiered);
            Sent middle = tiered.get(tiered.size() / 2);
            OffsetAndTimestamp found = consumer.offsetsForTimes(Map.of(tp, middle.timestamp())).get(tp);
            assertThat(found.offset()).isEqualTo(middle.offset());

            List<Sent> more = entry.getValue().send(producer(Map.of()), 10, System.currentTimeMillis(), 1);
            assertThat(more.get(0).offset()).as("first offset produced to %s after the restore", tp)
                    .isEqualTo(tieredEnd);
            Workload.assertSame(poll(consumer, more.size()), more);
        }
    }

    private static ListAppender<ILoggingEvent> capture(Class<?> type) {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        ((Logger) LoggerFactory.getLogger(type)).addAppender(appender);
        return appender;
    }
}
