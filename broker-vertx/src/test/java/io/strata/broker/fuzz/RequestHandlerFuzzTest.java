package io.strata.broker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.strata.broker.config.BrokerConfig;
import io.strata.broker.network.RawKafkaClient;
import io.strata.broker.network.WireFormat;
import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.SimpleRecord;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A hostile client against the real request path of an in-process broker: each input is one request, a valid
 * header for an API the broker advertises (at a version it advertises) followed by arbitrary body bytes, sent on
 * a real socket, followed on the same connection by an ApiVersions request.
 *
 * <p>For every input the broker must answer the request with a well-formed response of its API (any error code)
 * or close the connection; only a Produce with {@code acks=0} may go unanswered, and only Fetch, JoinGroup and
 * SyncGroup may wait (they are abandoned after {@value #MAY_WAIT_MS} ms), any other request unanswered after
 * {@value #UNANSWERED_LIMIT_MS} ms is a finding. No handler may fail with anything but a Kafka error
 * ({@code ApiException}), nothing may be logged at ERROR, and the broker must go on answering ApiVersions after
 * every input, and a valid Metadata and acks=all Produce to a topic of its own after every input in regression
 * mode and every {@value #FULL_CHECK_EVERY} inputs while fuzzing.
 *
 * <p>Input layout: bytes 0-1 an API key id, bytes 2-3 a version (both mapped into what the broker advertises),
 * the rest the request body. Regression inputs: {@code src/test/resources/io/strata/broker/fuzz/
 * RequestHandlerFuzzTestInputs/everyRequestIsAnsweredOrClosedAndTheBrokerServesOn/}; fuzzing: see
 * {@code src/test/fuzz/run-fuzz.sh}.
 */
class RequestHandlerFuzzTest {
    private static final FuzzInputCounter COUNTER = new FuzzInputCounter(
            "RequestHandlerFuzzTest#everyRequestIsAnsweredOrClosedAndTheBrokerServesOn");
    private static final Set<ApiKeys> MAY_WAIT = EnumSet.of(ApiKeys.FETCH, ApiKeys.JOIN_GROUP, ApiKeys.SYNC_GROUP);
    private static final long MAY_WAIT_MS = 1_000;
    private static final long UNANSWERED_LIMIT_MS = 15_000;
    private static final int FULL_CHECK_EVERY = 25;
    private static final boolean FUZZING = isFuzzing();

    private static FuzzedBroker broker;
    private static Map<ApiKeys, ApiVersionsResponseData.ApiVersion> served;
    private static String healthTopic;
    private static RawKafkaClient connection;
    private static int correlationId;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = FuzzedBroker.start(Map.of(BrokerConfig.GROUP_INITIAL_REBALANCE_DELAY_MS, "0"));
        served = new EnumMap<>(ApiKeys.class);
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            ApiVersionsResponse versions = client.call(apiVersions(), 1);
            for (ApiVersionsResponseData.ApiVersion version : versions.data().apiKeys()) {
                served.put(ApiKeys.forId(version.apiKey()), version);
            }
            healthTopic = "fuzz-health-" + UUID.randomUUID();
            CreateTopicsResponse created = client.call(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                    .setTimeoutMs(10_000)
                    .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                            new CreateTopicsRequestData.CreatableTopic().setName(healthTopic).setNumPartitions(1)
                                    .setReplicationFactor((short) 1)).iterator()))).build((short) 7), 2);
            assertThat(created.errorCounts()).containsOnlyKeys(Errors.NONE);
        }
        assertThat(broker.drainUnexpected()).as("problems logged while starting").isEmpty();
    }

    @AfterAll
    static void stopBroker() throws IOException {
        COUNTER.write();
        closeConnection();
        if (broker != null) {
            broker.close();
        }
    }

    @FuzzTest
    void everyRequestIsAnsweredOrClosedAndTheBrokerServesOn(byte[] input) throws IOException {
        COUNTER.inputStarted();
        FuzzedBroker.allowLoopbackConnections();
        if (input.length < 4) {
            return;
        }
        ByteBuffer params = ByteBuffer.wrap(input, 0, 4);
        List<ApiKeys> apis = new ArrayList<>(served.keySet());
        short wantedKey = params.getShort();
        ApiKeys apiKey = apis.stream().filter(key -> key.id == wantedKey).findFirst()
                .orElse(apis.get(Math.floorMod(wantedKey, apis.size())));
        ApiVersionsResponseData.ApiVersion range = served.get(apiKey);
        short version = FrameDecoderFuzzTest.version(params.getShort(), range.minVersion(), range.maxVersion());
        byte[] body = java.util.Arrays.copyOfRange(input, 4, input.length);

        sendAndCheck(apiKey, version, body);
        if (!FUZZING || COUNTER.inputs() % FULL_CHECK_EVERY == 0) {
            checkMetadataAndProduce();
        }
        assertThat(broker.drainUnexpected()).as("problems the broker logged for %s v%d", apiKey, version).isEmpty();
    }

    /** Sends the fuzzed request and an ApiVersions behind it, and checks what comes back. */
    private static void sendAndCheck(ApiKeys apiKey, short version, byte[] body) throws IOException {
        RequestHeader fuzzed = new RequestHeader(apiKey, version, "test-client", ++correlationId);
        RequestHeader probe = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "test-client", ++correlationId);
        byte[] request = WireFormat.withSizePrefix(WireFormat.rawFrame(apiKey.id, version,
                apiKey.requestHeaderVersion(version), fuzzed.correlationId(), body));
        byte[] probeRequest = WireFormat.withSizePrefix(apiVersions().serializeWithHeader(probe));
        RawKafkaClient client = connection();
        long sentNanos = System.nanoTime();
        try {
            client.sendBytes(WireFormat.concat(ByteBuffer.wrap(request), ByteBuffer.wrap(probeRequest)).array());
            ByteBuffer first = readFrame(client, apiKey, sentNanos);
            if (first == null) {
                closeConnection(); // still waiting (long poll): give up on this connection
            } else if (first.getInt(0) == fuzzed.correlationId()) {
                checkResponse(first, fuzzed);
                checkApiVersions(readFrame(client, ApiKeys.API_VERSIONS, System.nanoTime()), probe);
            } else {
                assertThat(first.getInt(0)).as("correlation id of the first response").isEqualTo(probe.correlationId());
                assertThat(expectsNoResponse(apiKey, version, body))
                        .as("%s v%d went unanswered while the request behind it was answered", apiKey, version).isTrue();
                checkApiVersions(first, probe);
            }
        } catch (EOFException | SocketException e) {
            closeConnection(); // the broker closed the connection: an accepted answer to a malformed request
        }
        if (connection == null) {
            // The broker must still accept a connection and answer on it.
            RequestHeader next = new RequestHeader(ApiKeys.API_VERSIONS, (short) 3, "test-client", ++correlationId);
            RawKafkaClient fresh = connection();
            fresh.sendBytes(WireFormat.withSizePrefix(apiVersions().serializeWithHeader(next)));
            checkApiVersions(readFrame(fresh, ApiKeys.API_VERSIONS, System.nanoTime()), next);
        }
    }

    /** The next frame, or null when a request that may wait has not been answered within {@link #MAY_WAIT_MS}. */
    private static ByteBuffer readFrame(RawKafkaClient client, ApiKeys apiKey, long sentNanos) throws IOException {
        long limitMs = MAY_WAIT.contains(apiKey) ? MAY_WAIT_MS : UNANSWERED_LIMIT_MS;
        client.readTimeout(Duration.ofMillis(limitMs));
        try {
            return client.readFrame();
        } catch (SocketTimeoutException e) {
            long waitedMs = (System.nanoTime() - sentNanos) / 1_000_000;
            assertThat(MAY_WAIT).as("%s unanswered after %d ms", apiKey, waitedMs).contains(apiKey);
            return null;
        }
    }

    private static void checkResponse(ByteBuffer frame, RequestHeader header) {
        AbstractResponse response = AbstractResponse.parseResponse(frame, header);
        assertThat(frame.remaining()).as("trailing bytes after the response to %s", header).isZero();
        assertThat(response.apiKey()).isEqualTo(header.apiKey());
    }

    private static void checkApiVersions(ByteBuffer frame, RequestHeader probe) {
        assertThat(frame).as("ApiVersions answer").isNotNull();
        assertThat(frame.getInt(0)).as("correlation id of the ApiVersions answer").isEqualTo(probe.correlationId());
        ApiVersionsResponse response = (ApiVersionsResponse) AbstractResponse.parseResponse(frame, probe);
        assertThat(response.data().errorCode()).isEqualTo(Errors.NONE.code());
    }

    /** Only a Produce with acks=0 has no response. */
    private static boolean expectsNoResponse(ApiKeys apiKey, short version, byte[] body) {
        if (apiKey != ApiKeys.PRODUCE) {
            return false;
        }
        AbstractRequest request = AbstractRequest.parseRequest(apiKey, version,
                new ByteBufferAccessor(ByteBuffer.wrap(body))).request;
        return ((ProduceRequest) request).acks() == 0;
    }

    /** A valid Metadata and an acks=all Produce to the broker's own topic, on a connection of their own. */
    private static void checkMetadataAndProduce() throws IOException {
        try (RawKafkaClient client = new RawKafkaClient(broker.port())) {
            MetadataResponse metadata = client.call(new MetadataRequest(new MetadataRequestData()
                    .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(healthTopic)))
                    .setAllowAutoTopicCreation(false), (short) 12), 1);
            assertThat(metadata.errors()).as("Metadata errors after the input").isEmpty();
            ProduceResponse produced = client.call(FuzzRequests.produce(healthTopic, 0, MemoryRecords.withRecords(
                    Compression.NONE, new SimpleRecord("still serving".getBytes(StandardCharsets.UTF_8)))), 2);
            assertThat(produced.errorCounts()).as("Produce errors after the input").containsOnlyKeys(Errors.NONE);
        }
    }

    private static ApiVersionsRequest apiVersions() {
        return new ApiVersionsRequest(new ApiVersionsRequestData().setClientSoftwareName("strata-fuzz")
                .setClientSoftwareVersion("1.0"), (short) 3);
    }

    private static RawKafkaClient connection() throws IOException {
        if (connection == null) {
            connection = new RawKafkaClient(broker.port());
        }
        return connection;
    }

    private static void closeConnection() throws IOException {
        if (connection != null) {
            connection.close();
            connection = null;
        }
    }

    private static boolean isFuzzing() {
        String value = System.getenv("JAZZER_FUZZ");
        return value != null && !value.isEmpty() && !value.equals("0") && !value.equalsIgnoreCase("false");
    }
}
