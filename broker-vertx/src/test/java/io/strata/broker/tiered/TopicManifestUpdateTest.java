package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.tiering.remote.RemoteLayout;
import io.strata.tiering.remote.TopicManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Test;

/**
 * The topic manifest in the bucket ({@code topic.json}) follows the topic: a config change or a partition
 * increase is written there by the remote tier's next pass, so that a broker rebuilt from the bucket gets
 * the topic as it is now.
 */
class TopicManifestUpdateTest extends TieredBrokerTestBase {

    @Override
    Map<String, String> bucketProperties() {
        return Map.of("s3.embedded.port", "0");
    }

    @Test
    void configChangesAndNewPartitionsAreWrittenToTheTopicManifest() throws Exception {
        // Given a tiered topic whose manifest is in the bucket
        String topic = "manifested";
        createTopic(topic, 1, TIERED);
        Path manifestFile = dataDir.resolve("s3").resolve("strata")
                .resolve(RemoteLayout.topicManifest(topic, topicId(topic)));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.isRegularFile(manifestFile));

        // When its retention changes and it gets a second partition
        Admin admin = admin();
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        admin.incrementalAlterConfigs(Map.of(resource, List.of(new AlterConfigOp(
                new ConfigEntry("retention.ms", "123456789"), AlterConfigOp.OpType.SET)))).all().get();
        admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get();

        // Then the manifest is rewritten with both
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            TopicManifest manifest = TopicManifest.fromJson(Files.readAllBytes(manifestFile));
            assertThat(manifest.partitions()).isEqualTo(2);
            assertThat(manifest.configs()).containsEntry("retention.ms", "123456789")
                    .containsEntry("segment.bytes", "16384");
        });
    }
}
