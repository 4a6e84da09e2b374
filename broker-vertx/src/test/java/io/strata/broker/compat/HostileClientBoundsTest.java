package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.strata.broker.network.RawKafkaClient;
import io.strata.broker.network.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One hostile client against a broker in its own small JVM: whatever it sends, the broker bounds what it
 * holds for it and keeps answering everyone else (issue 12, defect 7).
 */
class HostileClientBoundsTest {

    private static final String TOPIC = "bounded";

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void pipelinedRequestsFloodingBehindALongPollDoNotExhaustTheHeap() throws Exception {
        // Given a broker with a 128 MiB heap and an empty topic
        int httpPort = BrokerProcess.freePort();
        BrokerProcess broker = brokers.start(tempDir.resolve("data"),
                Map.of("http.port", Integer.toString(httpPort)), List.of("-Xmx128m"));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1, Map.of());
        int port = Integer.parseInt(broker.bootstrapServers().split(":")[1]);

        // When one connection sends a Fetch that waits as long as the protocol allows for data that never
        // comes, then a stream of small ApiVersions requests whose responses must queue behind it
        AtomicLong sentRequests = new AtomicLong();
        try (Socket flood = new Socket("127.0.0.1", port)) {
            OutputStream out = flood.getOutputStream();
            out.write(WireFormat.withSizePrefix(WireFormat.frame(RawKafkaClient.fetchRequest(TOPIC, 0, 0, Integer.MAX_VALUE, 1 << 20), 1)));
            byte[] burst = apiVersionsBurst(1_000);
            Thread writer = new Thread(() -> {
                try {
                    while (!Thread.currentThread().isInterrupted()) {
                        out.write(burst); // blocks once the broker stops reading: that is the point
                        sentRequests.addAndGet(1_000);
                    }
                } catch (IOException e) {
                    // the socket was closed by the test or by the broker
                }
            }, "flooding-client");
            writer.setDaemon(true);
            writer.start();
            // Then the broker keeps answering its health check and other clients throughout (20 s of flood)
            await().during(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
                    .untilAsserted(() -> assertThat(healthStatus(httpPort))
                            .as("/health while %d requests were sent behind the long poll", sentRequests.get())
                            .isEqualTo(200));
            try (RawKafkaClient other = new RawKafkaClient(port)) {
                ApiVersionsResponse response = other.call(new ApiVersionsRequest.Builder().build((short) 3), 7);
                assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            }
            writer.interrupt();
            System.out.println("HostileClientBoundsTest: sent " + sentRequests.get() + " requests behind the long poll");
        }
        assertThat(broker.log()).doesNotContain("OutOfMemoryError");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void idleSocketsAnnouncingLargeFramesDoNotExhaustDirectMemory() throws Exception {
        // Given a broker with 64 MiB of direct memory
        int httpPort = BrokerProcess.freePort();
        BrokerProcess broker = brokers.start(tempDir.resolve("data"), Map.of("http.port", Integer.toString(httpPort)),
                List.of("-Xmx128m", "-XX:MaxDirectMemorySize=64m"));
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1, Map.of());
        int port = Integer.parseInt(broker.bootstrapServers().split(":")[1]);

        // When 200 sockets each announce a frame of almost 1 MiB, send one byte of it and go quiet
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 200; i++) {
                Socket socket = new Socket("127.0.0.1", port);
                idle.add(socket);
                socket.getOutputStream().write(ByteBuffer.allocate(5).putInt(1_000_000).put((byte) 0).array());
                socket.getOutputStream().flush();
            }
            // (3 s for the broker to take them all in: /health must answer throughout)
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                    .until(() -> healthStatus(httpPort) == 200);

            // Then the broker still answers its health check, a new client, and a producer of a 512 KiB record
            assertThat(healthStatus(httpPort)).isEqualTo(200);
            try (RawKafkaClient other = new RawKafkaClient(port)) {
                ApiVersionsResponse response = other.call(new ApiVersionsRequest.Builder().build((short) 3), 7);
                assertThat(Errors.forCode(response.data().errorCode())).isEqualTo(Errors.NONE);
            }
            try (KafkaProducer<String, String> producer = Clients.producer(broker.bootstrapServers(),
                    Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 1_000_000))) {
                producer.send(new ProducerRecord<>(TOPIC, "x".repeat(512 * 1024))).get(60, TimeUnit.SECONDS);
            }
            assertThat(broker.log()).doesNotContain("OutOfDirectMemoryError").doesNotContain("unexpected error while reading");
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void topicCreationThatRunsOutOfOpenFilesLeavesNothingAndTheBrokerStartsAgain() throws Exception {
        // Given a broker allowed 1024 open files and no partition limit to stop it earlier
        Path dataDir = tempDir.resolve("data");
        Map<String, String> settings = Map.of("remote.log.storage.system.enable", "false",
                "strata.max.partitions", "100000");
        BrokerProcess broker = brokers.start(dataDir, settings, List.of(), 1024);

        // When a topic of 3000 partitions is created
        try (Admin admin = Clients.admin(broker.bootstrapServers())) {
            assertThatThrownBy(() -> admin.createTopics(List.of(new NewTopic("many", 3000, (short) 1))).all()
                    .get(120, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

            // Then nothing of it is left and the broker goes on creating and serving topics
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).doesNotContain("many");
        }
        assertThat(partitionDirectories(dataDir, "many")).isEmpty();
        Clients.createTopic(broker.bootstrapServers(), "after", 2, Map.of());
        produceOne(broker.bootstrapServers(), "after");

        // And after a restart with the same limit, it starts and still knows only the topic that was created
        broker.stop();
        BrokerProcess restarted = brokers.start(dataDir, settings, List.of(), 1024);
        try (Admin admin = Clients.admin(restarted.bootstrapServers())) {
            assertThat(admin.listTopics().names().get(30, TimeUnit.SECONDS)).contains("after").doesNotContain("many");
        }
        produceOne(restarted.bootstrapServers(), "after");
    }

    private static void produceOne(String bootstrap, String topic) throws Exception {
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of())) {
            producer.send(new ProducerRecord<>(topic, "value")).get(60, TimeUnit.SECONDS);
        }
    }

    private static List<String> partitionDirectories(Path dataDir, String topic) throws IOException {
        try (var list = java.nio.file.Files.list(dataDir)) {
            return list.map(path -> path.getFileName().toString()).filter(name -> name.startsWith(topic + "-")).toList();
        }
    }

    /** {@code count} ApiVersions v0 requests back to back, each with its size prefix (about 25 bytes each). */
    private static byte[] apiVersionsBurst(int count) {
        List<ByteBuffer> frames = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ByteBuffer frame = WireFormat.frame(new ApiVersionsRequest(new ApiVersionsRequestData(), (short) 0), 2 + i);
            frames.add(ByteBuffer.wrap(WireFormat.withSizePrefix(frame)));
        }
        ByteBuffer all = WireFormat.concat(frames.toArray(ByteBuffer[]::new));
        byte[] bytes = new byte[all.remaining()];
        all.get(bytes);
        return bytes;
    }

    /** The status of {@code GET /health}, or -1 when the broker does not answer within 5 s. */
    private static int healthStatus(int httpPort) {
        try {
            HttpURLConnection connection = (HttpURLConnection)
                    URI.create("http://127.0.0.1:" + httpPort + "/health").toURL().openConnection();
            connection.setConnectTimeout(5_000);
            connection.setReadTimeout(5_000);
            try {
                return connection.getResponseCode();
            } finally {
                connection.disconnect();
            }
        } catch (IOException e) {
            return -1;
        }
    }
}
