package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import io.strata.tiering.remote.RemoteLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/**
 * The default broker: no S3 endpoint configured, so it starts its embedded S3 server (here on a free
 * port) over {@code <data dir>/s3} and tiers to bucket {@code strata} there; the objects are plain
 * files a user can look at.
 */
class EmbeddedBucketTest extends TieredBrokerTestBase {

    @Override
    Map<String, String> bucketProperties() {
        return Map.of("s3.embedded.port", "0");
    }

    @Test
    void theDefaultBrokerTiersToItsEmbeddedS3ServerUnderTheDataDirectory() throws Exception {
        // Given the default broker, which runs its own S3 server
        assertThat(broker.embeddedS3Endpoint()).hasValueSatisfying(uri -> assertThat(uri.getHost())
                .isEqualTo("127.0.0.1"));

        // When a tiered topic gets far more than its local tier keeps
        TopicPartition tp = new TopicPartition("embedded", 0);
        createTopic(tp.topic(), 1, TIERED);
        Workload workload = new Workload(tp, 50);
        workload.send(producer(Map.of()), 1500, System.currentTimeMillis(), 1);
        awaitRemoteOnlyUpTo(tp, 1000);

        // Then the segments and the manifest are files under <data dir>/s3/strata/
        UUID topicId = topicId(tp.topic());
        Path bucketDir = dataDir.resolve("s3").resolve("strata");
        Path manifestFile = bucketDir.resolve(RemoteLayout.partitionManifest(tp, topicId));
        assertThat(manifestFile).isRegularFile();
        assertThat(bucketDir.resolve(RemoteLayout.topicManifest(tp.topic(), topicId))).isRegularFile();
        PartitionManifest manifest = PartitionManifest.fromJson(Files.readAllBytes(manifestFile));
        assertThat(manifest.segments()).isNotEmpty();
        for (ManifestSegment segment : manifest.segments()) {
            Path file = bucketDir.resolve(RemoteLayout.segment(tp, topicId, segment.baseOffset()));
            assertThat(file).isRegularFile();
            assertThat(Files.size(file)).isEqualTo(segment.sizeBytes());
            assertThat(bucketDir.resolve(RemoteLayout.index(tp, topicId, segment.baseOffset()))).isRegularFile();
        }

        // And the records come back from there
        KafkaConsumer<byte[], byte[]> consumer = consumer(Map.of());
        consumer.assign(List.of(tp));
        consumer.seekToBeginning(List.of(tp));
        Workload.assertSame(poll(consumer, workload.sent().size()), workload.sent());
    }
}
