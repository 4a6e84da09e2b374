package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.strata.broker.it.RawRequests.FetchTarget;
import io.strata.broker.network.RawKafkaClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.errors.KafkaStorageException;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData.ListOffsetsTopic;
import org.apache.kafka.common.message.ListOffsetsResponseData.ListOffsetsPartitionResponse;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Storage failures through the broker, with real clients and real kernel errors: a segment file is
 * replaced, while the broker is stopped, by a link to {@code /dev/full} (every write fails with ENOSPC)
 * or {@code /dev/null} (every fsync fails with EINVAL). A failed write takes its partition offline, a
 * failed fsync the data directory; the client gets KAFKA_STORAGE_ERROR, never a success, and the broker
 * keeps serving everything else.
 */
class StorageFailureEndToEndTest extends BrokerTestBase {

    private static final Path WRITE_FAILS = Path.of("/dev/full");
    private static final Path FSYNC_FAILS = Path.of("/dev/null");
    private static final long LATEST = ListOffsetsRequest.LATEST_TIMESTAMP;

    @Test
    void aPartitionWhoseWritesFailAnswersKafkaStorageErrorWhileOthersKeepWorking() throws Exception {
        // Given a topic of two partitions, the segment of partition 0 failing every write
        createTopic("orders", 2, Map.of());
        restartBroker(Map.of(), () -> replaceWithDevice(dataDir.resolve("orders-0"), WRITE_FAILS));
        KafkaProducer<String, String> producer = producer(noRetries());

        // When a real producer sends to each partition
        Throwable failed = catchThrowable(() -> producer.send(new ProducerRecord<>("orders", 0, "k", "lost"))
                .get(30, TimeUnit.SECONDS));
        long written = producer.send(new ProducerRecord<>("orders", 1, "k", "kept")).get(30, TimeUnit.SECONDS)
                .offset();

        // Then partition 0 answers KAFKA_STORAGE_ERROR and partition 1 acknowledges its record
        assertThat(failed).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KafkaStorageException.class);
        assertThat(written).isZero();
        // And fetches: KAFKA_STORAGE_ERROR from partition 0, the record from partition 1
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            FetchResponse response = client.call(RawRequests.fetch(1 << 20, 0, 0, List.of(
                    new FetchTarget("orders", 0, 0, 1 << 20), new FetchTarget("orders", 1, 0, 1 << 20))), 1);
            List<FetchResponseData.PartitionData> partitions = RawRequests.partitions(response);
            assertThat(partitions.get(0).errorCode()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
            assertThat(partitions.get(1).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(partitions.get(1).highWatermark()).isEqualTo(1);
            // And ListOffsets: KAFKA_STORAGE_ERROR for partition 0, the log end of partition 1
            ListOffsetsResponse offsets = client.call(ListOffsetsRequest.Builder
                    .forConsumer(false, IsolationLevel.READ_UNCOMMITTED)
                    .setTargetTimes(List.of(new ListOffsetsTopic().setName("orders").setPartitions(List.of(
                            new ListOffsetsPartition().setPartitionIndex(0).setTimestamp(LATEST),
                            new ListOffsetsPartition().setPartitionIndex(1).setTimestamp(LATEST)))))
                    .build((short) 7), 2);
            List<ListOffsetsPartitionResponse> answers = offsets.data().topics().get(0).partitions();
            assertThat(answers.get(0).errorCode()).isEqualTo(Errors.KAFKA_STORAGE_ERROR.code());
            assertThat(answers.get(1).errorCode()).isEqualTo(Errors.NONE.code());
            assertThat(answers.get(1).offset()).isEqualTo(1);
        }
        // And the metrics count one offline partition and no offline directory
        assertThat(scrape()).contains("kafka_server_replicamanager_offline_replica_count 1.0")
                .contains("kafka_log_logmanager_offline_log_directory_count 0.0");
    }

    @Test
    void aFailedFsyncTakesTheDataDirectoryOfflineAndTheBrokerKeepsAnswering() throws Exception {
        // Given a topic that fsyncs every append, whose segment fails fsync, and another topic
        createTopic("synced", 1, Map.of("flush.messages", "1"));
        createTopic("other", 1, Map.of());
        restartBroker(Map.of(), () -> replaceWithDevice(dataDir.resolve("synced-0"), FSYNC_FAILS));
        KafkaProducer<String, String> producer = producer(noRetries());

        // When a real producer's record meets the failed fsync
        Throwable failed = catchThrowable(() -> producer.send(new ProducerRecord<>("synced", 0, "k", "unsynced"))
                .get(30, TimeUnit.SECONDS));

        // Then it gets KAFKA_STORAGE_ERROR, and so does every partition of the data directory
        assertThat(failed).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KafkaStorageException.class);
        Throwable other = catchThrowable(() -> producer.send(new ProducerRecord<>("other", 0, "k", "v"))
                .get(30, TimeUnit.SECONDS));
        assertThat(other).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(KafkaStorageException.class);
        // And the broker still answers metadata and admin requests, and reports the offline directory
        assertThat(admin().listTopics().names().get(30, TimeUnit.SECONDS)).contains("synced", "other");
        assertThat(admin().describeLogDirs(List.of(0)).allDescriptions().get(30, TimeUnit.SECONDS).get(0).values())
                .singleElement().satisfies(dir -> assertThat(dir.error()).isInstanceOf(KafkaStorageException.class));
        assertThat(scrape()).contains("kafka_log_logmanager_offline_log_directory_count 1.0");

        // When the broker stops, the shutdown is not marked clean: the next start re-validates the logs
        broker.close();
        assertThat(dataDir.resolve(".strata-clean-shutdown")).doesNotExist();
    }

    private static Map<String, Object> noRetries() {
        return Map.of(ProducerConfig.RETRIES_CONFIG, 0, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false,
                ProducerConfig.ACKS_CONFIG, "all");
    }

    /** Replaces the partition's (empty) active segment with a link to {@code device}. */
    private static void replaceWithDevice(Path partitionDir, Path device) throws IOException {
        requireFailing(device);
        Path segment = partitionDir.resolve("00000000000000000000.log");
        assertThat(Files.size(segment)).isZero();
        Files.delete(segment);
        Files.createSymbolicLink(segment, device);
    }

    /** Skips (fails under CI=true) when {@code device} does not fail as Linux's does. */
    private static void requireFailing(Path device) {
        boolean fails;
        try (FileChannel channel = FileChannel.open(device, StandardOpenOption.WRITE)) {
            channel.write(ByteBuffer.wrap(new byte[] {1}));
            channel.force(true);
            fails = false;
        } catch (IOException e) {
            fails = true;
        }
        String reason = device + " does not fail writes or fsync here (the Linux devices this fault needs)";
        if (!fails && "true".equals(System.getenv("CI"))) {
            Assertions.fail(reason);
        }
        Assumptions.assumeTrue(fails, reason);
    }

    private String scrape() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + broker.httpPort().getAsInt() + "/metrics")).build(),
                HttpResponse.BodyHandlers.ofString());
        return response.body();
    }
}
