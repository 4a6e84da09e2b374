package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.network.RawKafkaClient;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A Fetch cannot make the broker hold more than its own limits, whatever the request asks (issue 12,
 * defect 7): {@code strata.fetch.max.wait.ms} caps the long poll, {@code fetch.max.bytes} the response.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FetchBoundsTest {

    @RegisterExtension
    final InProcessBroker broker = InProcessBroker.local(Map.of(
            "strata.fetch.max.wait.ms", "1000", "fetch.max.bytes", "65536"));

    @Test
    void longPollIsAnsweredWithinTheBrokersFetchWaitCap() throws Exception {
        // Given an empty topic
        Clients.createTopic(broker.bootstrapServers(), "quiet", 1, Map.of());

        try (RawKafkaClient client = new RawKafkaClient(port())) {
            // When a Fetch asks to wait as long as the protocol allows for data that never comes
            long started = System.nanoTime();
            FetchResponse response = client.call(
                    RawKafkaClient.fetchRequest("quiet", 0, 0, Integer.MAX_VALUE, 1 << 20), 1);

            // Then it is answered, empty, after the broker's cap (the client gives up after 10 s)
            PartitionData partition = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition.records().sizeInBytes()).isZero();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started)).isGreaterThanOrEqualTo(900);
        }
    }

    @Test
    void fetchResponseIsCappedAtTheBrokersFetchMaxBytes() throws Exception {
        // Given about 400 KiB of records in 4 KiB batches
        Clients.createTopic(broker.bootstrapServers(), "full", 1, Map.of());
        try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(),
                Map.of(ProducerConfig.BATCH_SIZE_CONFIG, 4096, ProducerConfig.LINGER_MS_CONFIG, 5))) {
            String value = "v".repeat(1000);
            for (int i = 0; i < 400; i++) {
                producer.send(new ProducerRecord<>("full", 0, null, value));
            }
            producer.flush();
        }

        try (RawKafkaClient client = new RawKafkaClient(port())) {
            // When a Fetch asks for everything
            FetchResponse response = client.call(
                    RawKafkaClient.fetchRequest("full", 0, 0, 0, Integer.MAX_VALUE), 1);

            // Then it carries records, but no more than fetch.max.bytes
            PartitionData partition = response.data().responses().get(0).partitions().get(0);
            assertThat(Errors.forCode(partition.errorCode())).isEqualTo(Errors.NONE);
            assertThat(partition.highWatermark()).isEqualTo(400);
            assertThat(partition.records().sizeInBytes()).isPositive().isLessThanOrEqualTo(65_536);
        }
    }

    private int port() {
        String bootstrap = broker.bootstrapServers();
        return Integer.parseInt(bootstrap.substring(bootstrap.lastIndexOf(':') + 1));
    }
}
