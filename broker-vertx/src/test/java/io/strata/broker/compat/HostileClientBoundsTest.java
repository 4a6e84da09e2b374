package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.network.RawKafkaClient;
import io.strata.broker.network.WireFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
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
            long floodEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (System.nanoTime() < floodEnd) {
                Thread.sleep(1_000);
                // Then the broker keeps answering its health check and other clients throughout
                assertThat(healthStatus(httpPort))
                        .as("/health while %d requests were sent behind the long poll", sentRequests.get())
                        .isEqualTo(200);
            }
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
            Thread.sleep(3_000);

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
