package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.broker.network.RawKafkaClient;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;

/**
 * A Fetch of data that lives only in the bucket reads a bounded range, whatever it asks: at most one
 * chunk ({@code remote.fetch.chunk.bytes}, 64 KiB in these tests) per partition, not the rest of the
 * segment (issue 12, defect 7).
 */
class RemoteFetchBoundsTest extends S3ServerTestBase {

    @Test
    void remoteReadOfAHugeFetchIsBoundedByTheChunkSize() throws Exception {
        // Given 512 KiB segments that live only in the bucket
        TopicPartition tp = new TopicPartition("huge-fetch", 0);
        createTopic(tp.topic(), 1, Map.of("segment.bytes", "524288", "local.retention.bytes", "1",
                "index.interval.bytes", "4096", "retention.ms", "-1"));
        KafkaProducer<byte[], byte[]> producer = producer(Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 4096));
        byte[] value = new byte[1000];
        for (int i = 0; i < 1500; i++) {
            producer.send(new ProducerRecord<>(tp.topic(), tp.partition(), null, value));
        }
        producer.flush();
        awaitRemoteOnlyUpTo(tp, 500);

        // When a Fetch from offset 0 asks for as many bytes as the protocol allows
        String bootstrap = broker.bootstrapServers();
        int port = Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
        AtomicReference<PartitionData> answered = new AtomicReference<>();
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            int[] correlation = {0};
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).until(() -> {
                FetchResponse response = client.call(
                        RawKafkaClient.fetchRequest(tp.topic(), 0, 0, 0, Integer.MAX_VALUE), ++correlation[0]);
                answered.set(response.data().responses().get(0).partitions().get(0));
                return answered.get().records().sizeInBytes() > 0; // a slow GET answers empty first
            });
        }

        // Then it gets records from the bucket, but no more than one chunk of them
        assertThat(Errors.forCode(answered.get().errorCode())).isEqualTo(Errors.NONE);
        assertThat(answered.get().records().sizeInBytes()).isLessThanOrEqualTo(65_536);
    }
}
