package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.log.PartitionLog;
import io.strata.tiering.remote.RemoteMetrics;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The S3 server goes away while the broker tiers and reads, then comes back on the same port:
 * producers never notice, the local disk buffers what cannot be uploaded, a consumer reading the
 * remote tier waits (a retriable error) instead of failing, and afterwards every record is there,
 * uploaded, and the manifest names only objects that exist.
 */
class S3OutageTest extends S3ServerTestBase {

    @Test
    void productionAndRemoteReadsRideOutAnS3Outage() throws Exception {
        // Given a tiered partition whose first records are only in the bucket
        TopicPartition tp = new TopicPartition("outage", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 30);
        KafkaProducer<byte[], byte[]> producer = producer(Map.of());
        workload.send(producer, 1000, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(tp, 500);
        PartitionLog log = log(tp);
        RemoteMetrics metrics = broker.logs().remote().orElseThrow().metrics();

        // When the S3 server stops
        S3ProxyServer.Settings settings = s3.settings();
        int port = s3.port();
        s3.close();
        long remoteEndAtOutage = log.remoteEndOffset();

        // Then production goes on without an error (every send is acknowledged), buffered on local disk
        workload.send(producer, 2000, System.currentTimeMillis(), 1);
        await("failed upload attempts").atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(metrics.copyErrors()).isPositive());
        assertThat(log.remoteEndOffset()).isEqualTo(remoteEndAtOutage);
        assertThat(log.localStartOffset()).as("local segments not in the bucket are kept")
                .isLessThanOrEqualTo(remoteEndAtOutage);

        // And a consumer of the remote tier gets nothing yet, and no exception (the error is retriable)
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        List<ConsumerRecord<byte[], byte[]>> consumed = new ArrayList<>();
        await("failed remote reads").atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            consumer.poll(Duration.ofMillis(100)).forEach(consumed::add);
            assertThat(metrics.fetchErrors()).isPositive();
        });
        assertThat(consumed).isEmpty();

        // When the S3 server is back on the same port
        s3 = S3ProxyServer.start(settings.withPort(port));

        // Then the consumer gets every record, the uploads catch up, and the manifest names only real objects
        consumed.addAll(poll(consumer, workload.sent().size() - consumed.size()));
        Workload.assertSame(consumed, workload.sent());
        awaitRemoteOnlyUpTo(tp, 2500);
        await("manifest and objects agree").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> assertThat(bucket.assertManifestMatchesObjects(tp, topicId(tp.topic()))
                        .segments()).first().satisfies(oldest -> assertThat(oldest.baseOffset()).isZero()));
    }
}
