package io.strata.broker.network;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ResponseHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class KafkaServerTest {

    private static Vertx vertx;

    private final DeferredMetadataHandler metadata = new DeferredMetadataHandler();
    private KafkaServer server;
    private int port;

    /**
     * Metadata handler under the test's control: the topic name picks the behaviour. "throw" throws, "fail"
     * fails the future; any other request is held until the test completes it, answering with the
     * correlation id as cluster id.
     */
    static final class DeferredMetadataHandler implements ApiHandler<MetadataRequest> {
        record Pending(RequestContext context, Promise<ApiMessage> promise, String thread) {
        }

        final Map<Integer, Pending> pending = new ConcurrentHashMap<>();

        @Override
        public ApiKeys apiKey() {
            return ApiKeys.METADATA;
        }

        @Override
        public Future<ApiMessage> handle(RequestContext context, MetadataRequest request) {
            List<String> topics = request.topics() == null ? List.of() : request.topics();
            if (topics.contains("throw")) {
                throw new IllegalStateException("handler bug");
            }
            if (topics.contains("fail")) {
                return Future.failedFuture(new RuntimeException("storage unavailable"));
            }
            Promise<ApiMessage> promise = Promise.promise();
            pending.put(context.correlationId(), new Pending(context, promise, Thread.currentThread().getName()));
            return promise.future();
        }

        void answer(int correlationId) {
            Pending held = pending.remove(correlationId);
            held.context().vertxContext().runOnContext(ignored ->
                    held.promise().complete(new MetadataResponseData().setClusterId("cluster-" + correlationId)));
        }
    }

    /** Produce handler that never answers acks=0 requests and answers others with an empty response. */
    static final class AcksZeroProduceHandler implements ApiHandler<ProduceRequest> {
        @Override
        public ApiKeys apiKey() {
            return ApiKeys.PRODUCE;
        }

        @Override
        public Future<ApiMessage> handle(RequestContext context, ProduceRequest request) {
            return Future.succeededFuture(request.acks() == 0 ? null : new org.apache.kafka.common.message.ProduceResponseData());
        }
    }

    @BeforeAll
    static void startVertx() {
        vertx = Vertx.vertx();
    }

    @AfterAll
    static void stopVertx() {
        vertx.close().await();
    }

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.close().await();
        }
    }

    private void startServer(Map<String, String> overrides) {
        Map<String, String> props = new HashMap<>(Map.of("listeners", "PLAINTEXT://127.0.0.1:0"));
        props.putAll(overrides);
        ApiHandlerRegistry registry = new ApiHandlerRegistry(List.of(metadata, new AcksZeroProduceHandler()));
        server = new KafkaServer(vertx, BrokerConfig.of(props), registry);
        port = server.start().await();
    }

    private static ApiVersionsRequest apiVersionsRequest(short version) {
        return new ApiVersionsRequest(new ApiVersionsRequestData()
                .setClientSoftwareName("strata-test").setClientSoftwareVersion("1.0"), version);
    }

    private static MetadataRequest metadataRequest(String... topics) {
        MetadataRequestData data = new MetadataRequestData();
        for (String topic : topics) {
            data.topics().add(new MetadataRequestData.MetadataRequestTopic().setName(topic));
        }
        return new MetadataRequest(data, (short) 12);
    }

    @Test
    void apiVersionsV3AndV0AreAnsweredWithTheServedApis() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            for (short version : new short[] {3, 0}) {
                RequestHeader header = client.send(apiVersionsRequest(version), 100 + version);

                ApiVersionsResponse response = (ApiVersionsResponse) client.receive(header);

                assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
                assertThat(response.data().apiKeys()).extracting(ApiVersionsResponseData.ApiVersion::apiKey)
                        .containsExactlyInAnyOrder(ApiKeys.API_VERSIONS.id, ApiKeys.METADATA.id, ApiKeys.PRODUCE.id);
                assertThat(response.apiVersion(ApiKeys.METADATA.id).maxVersion()).isEqualTo(ApiKeys.METADATA.latestVersion(false));
            }
        }
        assertThat(server.advertisedEndpoint().port()).isEqualTo(port);
    }

    @Test
    void unservedApiVersionsVersionIsAnsweredAtV0WithUnsupportedVersion() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            client.sendBytes(WireFormat.withSizePrefix(
                    WireFormat.rawFrame(ApiKeys.API_VERSIONS.id, (short) 42, (short) 2, 9, new byte[] {1, 2, 3})));

            ByteBuffer frame = client.readFrame();

            ResponseHeaderData header = new ResponseHeaderData(new ByteBufferAccessor(frame), (short) 0);
            ApiVersionsResponseData body = new ApiVersionsResponseData(new ByteBufferAccessor(frame), (short) 0);
            assertThat(frame.hasRemaining()).isFalse();
            assertThat(header.correlationId()).isEqualTo(9);
            assertThat(body.errorCode()).isEqualTo(Errors.UNSUPPORTED_VERSION.code());
            assertThat(body.apiKeys().find(ApiKeys.API_VERSIONS.id).maxVersion()).isEqualTo((short) 4);
        }
    }

    @Test
    void oversizedFrameClosesOnlyItsConnection() throws IOException {
        startServer(Map.of("socket.request.max.bytes", "1024"));
        try (RawKafkaClient bystander = new RawKafkaClient(port); RawKafkaClient attacker = new RawKafkaClient(port)) {
            attacker.sendBytes(ByteBuffer.allocate(4).putInt(1025).array());

            assertThat(attacker.isClosedByServer()).isTrue();
            RequestHeader header = bystander.send(apiVersionsRequest((short) 3), 1);
            assertThat(bystander.receive(header).errorCounts()).containsOnlyKeys(Errors.NONE);
        }
    }

    @Test
    void garbageFrameClosesOnlyItsConnection() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient bystander = new RawKafkaClient(port); RawKafkaClient garbage = new RawKafkaClient(port)) {
            garbage.sendBytes(new byte[] {0, 0, 0, 3, 1, 2, 3});

            assertThat(garbage.isClosedByServer()).isTrue();
            RequestHeader header = bystander.send(apiVersionsRequest((short) 3), 1);
            assertThat(bystander.receive(header).errorCounts()).containsOnlyKeys(Errors.NONE);
        }
    }

    @Test
    void pipelinedResponsesComeBackInRequestOrderWhenHandlersCompleteInReverse() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            // Given three pipelined requests held by the handler
            List<RequestHeader> headers = new ArrayList<>();
            for (int correlationId = 1; correlationId <= 3; correlationId++) {
                headers.add(client.send(metadataRequest(), correlationId));
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.size() == 3);

            // When they complete last first
            metadata.answer(3);
            metadata.answer(2);
            metadata.answer(1);

            // Then the responses arrive in request order
            for (RequestHeader header : headers) {
                MetadataResponse response = (MetadataResponse) client.receive(header);
                assertThat(response.data().clusterId()).isEqualTo("cluster-" + header.correlationId());
            }
        }
    }

    @Test
    void failingHandlersAreAnsweredWithTheApiErrorResponseAndTheConnectionStaysOpen() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            for (String behaviour : List.of("throw", "fail")) {
                RequestHeader header = client.send(metadataRequest(behaviour), 1);

                MetadataResponse response = (MetadataResponse) client.receive(header);

                assertThat(response.data().topics().find(behaviour).errorCode())
                        .isEqualTo(Errors.UNKNOWN_SERVER_ERROR.code());
            }
            RequestHeader header = client.send(apiVersionsRequest((short) 3), 2);
            assertThat(client.receive(header).errorCounts()).containsOnlyKeys(Errors.NONE);
        }
    }

    @Test
    void produceWithAcksZeroGetsNoResponse() throws IOException {
        startServer(Map.of());
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            ProduceRequest acksZero = ProduceRequest.builder(new ProduceRequestData().setAcks((short) 0).setTimeoutMs(1000))
                    .build((short) 9);
            client.send(acksZero, 1);
            RequestHeader header = client.send(apiVersionsRequest((short) 3), 2);

            ByteBuffer frame = client.readFrame();

            assertThat(new ResponseHeaderData(new ByteBufferAccessor(frame), (short) 0).correlationId())
                    .isEqualTo(header.correlationId());
        }
    }

    @Test
    void connectionsBeyondMaxConnectionsAreClosed() throws IOException {
        startServer(Map.of("max.connections", "1"));
        try (RawKafkaClient first = new RawKafkaClient(port)) {
            RequestHeader header = first.send(apiVersionsRequest((short) 3), 1);
            first.receive(header);

            try (RawKafkaClient second = new RawKafkaClient(port)) {
                assertThat(second.isClosedByServer()).isTrue();
            }
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
        try (RawKafkaClient third = new RawKafkaClient(port)) {
            RequestHeader header = third.send(apiVersionsRequest((short) 3), 1);
            assertThat(third.receive(header).errorCounts()).containsOnlyKeys(Errors.NONE);
        }
    }

    @Test
    void idleConnectionsAreClosed() throws IOException {
        startServer(Map.of("connections.max.idle.ms", "200"));
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            RequestHeader header = client.send(apiVersionsRequest((short) 3), 1);
            client.receive(header);
            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 1);

            await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
            assertThat(client.isClosedByServer()).isTrue();
        }
    }

    @Test
    void connectionsAreSpreadOverTheNetworkThreads() throws IOException {
        startServer(Map.of("num.network.threads", "2"));
        List<RawKafkaClient> clients = new ArrayList<>();
        try {
            for (int correlationId = 1; correlationId <= 4; correlationId++) {
                RawKafkaClient client = new RawKafkaClient(port);
                clients.add(client);
                client.send(metadataRequest(), correlationId);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.size() == 4);

            assertThat(metadata.pending.values().stream().map(DeferredMetadataHandler.Pending::thread).distinct())
                    .hasSize(2)
                    .allMatch(thread -> thread.startsWith("vert.x-eventloop-thread-"));
        } finally {
            for (RawKafkaClient client : clients) {
                client.close();
            }
        }
    }

    @Test
    void readingPausesWhileTooManyRequestBytesAreInFlight() throws IOException {
        // Given a limit that any single request exceeds
        startServer(Map.of("strata.connection.max.inflight.bytes", "1"));
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            RequestHeader first = client.send(metadataRequest(), 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(1));

            // When a second request is sent while the first is unanswered
            RequestHeader second = client.send(metadataRequest(), 2);

            // Then it is not read until the first is answered
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> !metadata.pending.containsKey(2));
            metadata.answer(1);
            assertThat(((MetadataResponse) client.receive(first)).data().clusterId()).isEqualTo("cluster-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(2));
            metadata.answer(2);
            assertThat(((MetadataResponse) client.receive(second)).data().clusterId()).isEqualTo("cluster-2");
        }
    }

    @Test
    void readingPausesWhileTooManyRequestsAreInFlightOnOneConnection() throws IOException {
        // Given a cap of two unanswered requests per connection (bytes are no limit)
        startServer(Map.of("strata.connection.max.inflight.requests", "2"));
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            RequestHeader first = client.send(metadataRequest(), 1);
            client.send(metadataRequest(), 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(2));

            // When a third request is sent while both are unanswered
            client.send(metadataRequest(), 3);

            // Then it is not read until the first is answered
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !metadata.pending.containsKey(3));
            metadata.answer(1);
            assertThat(((MetadataResponse) client.receive(first)).data().clusterId()).isEqualTo("cluster-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(3));
        }
    }

    @Test
    void requestsPipelinedInOneWriteAreDecodedOnlyUpToTheInflightCap() throws IOException {
        // Given a cap of two unanswered requests per connection
        startServer(Map.of("strata.connection.max.inflight.requests", "2"));
        try (RawKafkaClient client = new RawKafkaClient(port)) {
            // When ten requests arrive in one write (one socket read on the broker)
            List<ByteBuffer> frames = new ArrayList<>();
            for (int correlationId = 1; correlationId <= 10; correlationId++) {
                frames.add(ByteBuffer.wrap(WireFormat.withSizePrefix(WireFormat.frame(metadataRequest(), correlationId))));
            }
            ByteBuffer burst = WireFormat.concat(frames.toArray(ByteBuffer[]::new));
            byte[] bytes = new byte[burst.remaining()];
            burst.get(bytes);
            client.sendBytes(bytes);

            // Then only two are decoded until they are answered, and the rest follow in order as they are
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(2));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> metadata.pending.size() == 2);
            for (int correlationId = 1; correlationId <= 10; correlationId++) {
                int id = correlationId;
                await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(id));
                metadata.answer(id);
                RequestHeader header = WireFormat.header(ApiKeys.METADATA, (short) 12, id);
                assertThat(((MetadataResponse) client.receive(header)).data().clusterId()).isEqualTo("cluster-" + id);
                assertThat(metadata.pending.size()).isLessThanOrEqualTo(2);
            }
        }
    }

    @Test
    void readingPausesOnEveryConnectionWhileQueuedRequestBytesExceedTheBrokersBudget() throws IOException {
        // Given a broker-wide budget that one unanswered request exceeds
        startServer(Map.of("queued.max.request.bytes", "1"));
        try (RawKafkaClient holder = new RawKafkaClient(port); RawKafkaClient other = new RawKafkaClient(port)) {
            RequestHeader held = holder.send(metadataRequest(), 1);
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(1));

            // When another connection sends a request
            RequestHeader second = other.send(metadataRequest(), 2);

            // Then it is not read while the first connection's request holds the budget
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3)).until(() -> !metadata.pending.containsKey(2));
            metadata.answer(1);
            assertThat(((MetadataResponse) holder.receive(held)).data().clusterId()).isEqualTo("cluster-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(2));
            metadata.answer(2);
            assertThat(((MetadataResponse) other.receive(second)).data().clusterId()).isEqualTo("cluster-2");
            await().atMost(Duration.ofSeconds(10)).until(() -> server.requestBudget().usedBytes() == 0);
        }
    }

    @Test
    void idleConnectionIsClosedWithALogLineButNotWhileARequestIsOutstanding() throws IOException {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        Logger logger = (Logger) LoggerFactory.getLogger(KafkaConnection.class);
        logger.addAppender(logged);
        try {
            // Given a short idle limit and a connection whose request stays unanswered longer than that
            startServer(Map.of("connections.max.idle.ms", "300"));
            try (RawKafkaClient client = new RawKafkaClient(port)) {
                RequestHeader held = client.send(metadataRequest(), 1);
                await().atMost(Duration.ofSeconds(10)).until(() -> metadata.pending.containsKey(1));

                // Then it stays open while the request is outstanding
                await().during(Duration.ofMillis(1_000)).atMost(Duration.ofSeconds(3)).until(() -> server.connectionCount() == 1);
                metadata.answer(1);
                client.receive(held);

                // And is closed, with a line saying why, once idle
                await().atMost(Duration.ofSeconds(10)).until(() -> server.connectionCount() == 0);
                assertThat(client.isClosedByServer()).isTrue();
                assertThat(logged.list).anySatisfy(event -> assertThat(event.getFormattedMessage())
                        .contains("idle for").contains("connections.max.idle.ms=300"));
            }
        } finally {
            logger.detachAppender(logged);
        }
    }
}
