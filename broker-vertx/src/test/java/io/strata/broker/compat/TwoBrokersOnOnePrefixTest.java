package io.strata.broker.compat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.strata.objectstore.ObjectInfo;
import io.strata.broker.metrics.HttpProbe;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.PutCondition;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.ManifestSegment;
import io.strata.tiering.remote.PartitionManifest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two broker JVMs pointed at one bucket and prefix (one S3Proxy, each broker with its own data directory):
 * the second refuses to start while the first holds the prefix's claim, takes the prefix over once the first
 * was killed with SIGKILL and its claim expired, and a third broker restoring from the bucket finds every
 * record the first acknowledged (all of them were tiered before the kill), at its acknowledged offset. A
 * broker whose claim another takes over is fenced: it stops writing to the bucket and is not ready.
 */
class TwoBrokersOnOnePrefixTest {

    private static final String BUCKET = "shared-bucket";
    private static final String PREFIX = "shared/";
    private static final String TOPIC = "fenced";
    private static final TopicPartition TP = new TopicPartition(TOPIC, 0);
    private static final long CLAIM_TTL_MS = 8_000;

    @TempDir
    Path tempDir;

    @RegisterExtension
    final BrokerProcesses brokers = new BrokerProcesses();

    private S3ProxyServer s3;
    private ObjectStore bucket;

    @BeforeEach
    void startS3() throws Exception {
        s3 = S3ProxyServer.start(S3ProxyServer.Settings.onFreePort(tempDir.resolve("s3"), BUCKET));
        bucket = S3ObjectStore.open(s3.clientConfig().prefix(PREFIX).build());
    }

    @AfterEach
    void stopS3() {
        if (bucket != null) {
            bucket.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    private Map<String, String> brokerProperties() {
        Map<String, String> properties = new HashMap<>();
        properties.put("s3.endpoint", s3.endpoint().toString());
        properties.put("s3.access.key", s3.settings().accessKey());
        properties.put("s3.secret.key", s3.settings().secretKey());
        properties.put("s3.bucket", BUCKET);
        properties.put("s3.region", S3ProxyServer.REGION);
        properties.put("s3.path.style", "true");
        properties.put("s3.prefix", PREFIX);
        properties.put("bucket.claim.ttl.ms", Long.toString(CLAIM_TTL_MS));
        properties.put("remote.log.manager.task.interval.ms", "200");
        properties.put("strata.log.roll.check.interval.ms", "200");
        return properties;
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void aSecondBrokerOnTheSamePrefixRefusesToStartAndTakesOverOnlyAfterTheClaimExpires() throws Exception {
        // Given a broker on the shared prefix whose acknowledged records all reached the bucket
        BrokerProcess first = brokers.start(tempDir.resolve("first"), brokerProperties());
        Clients.createTopic(first.bootstrapServers(), TOPIC, 1, Map.of("segment.bytes", "4096", "segment.ms", "500"));
        Map<String, Long> ackedByFirst = produce(first.bootstrapServers(), "first", 300);
        awaitTiered(maxOffset(ackedByFirst));

        // When a second broker with its own data directory starts on the same bucket and prefix
        BrokerProcess refused = brokers.launch(tempDir.resolve("second"), brokerProperties());
        await().atMost(Duration.ofSeconds(60)).until(() -> refused.listening() || refused.exited());

        // Then it refuses to start, with one line naming the holder and when its claim expires, and exit code 1
        assertThat(refused.listening()).as("the second broker started while the first holds the prefix:\n%s",
                refused.log()).isFalse();
        assertThat(refused.awaitExitCode(30)).isEqualTo(1);
        assertThat(refused.log()).containsPattern("is claimed by broker .* until 20\\d\\d-")
                .doesNotContain("\tat ");

        // When the first broker is killed and its claim expires
        first.kill();
        BrokerProcess second = startWhenTheClaimExpires(tempDir.resolve("second"));

        // Then the second broker took the prefix over with the next generation and continues after the first's offsets
        assertThat(second.log()).contains("generation 2");
        Map<String, Long> ackedBySecond = produce(second.bootstrapServers(), "second", 100);
        assertThat(ackedBySecond.values()).allSatisfy(offset -> assertThat(offset).isGreaterThan(maxOffset(ackedByFirst)));
        awaitTiered(maxOffset(ackedBySecond));
        second.stop();

        // And a third broker restoring from the bucket reads every record both acknowledged, at its offset
        BrokerProcess third = brokers.start(tempDir.resolve("third"), brokerProperties());
        List<ConsumerRecord<String, String>> records = Clients.readAll(third.bootstrapServers(), List.of(TP));
        Map<String, Long> read = new HashMap<>();
        records.forEach(record -> assertThat(read.put(record.value(), record.offset()))
                .as("duplicate %s", record.value()).isNull());
        assertThat(read).containsAllEntriesOf(ackedByFirst).containsAllEntriesOf(ackedBySecond);
        assertThat(third.log()).doesNotContain("changed by another writer");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aBrokerWhoseClaimWasTakenOverIsFencedWritesNothingMoreToTheBucketAndIsNotReady() throws Exception {
        // Given a broker on the shared prefix that tiered its records
        BrokerProcess broker = brokers.start(tempDir.resolve("first"), brokerProperties());
        Clients.createTopic(broker.bootstrapServers(), TOPIC, 1, Map.of("segment.bytes", "4096", "segment.ms", "500"));
        awaitTiered(maxOffset(produce(broker.bootstrapServers(), "before", 100)));

        // When another broker takes the prefix over (its claim, written over this broker's)
        String taken = """
                {"version":1,"owner":"another-writer","holder":"broker 7 on host elsewhere, pid 1","generation":9,
                 "renewedAt":"2026-01-01T00:00:00Z","expiresAt":"2999-01-01T00:00:00Z"}""";
        bucket.put("_claim.json", taken.getBytes(StandardCharsets.UTF_8), PutCondition.NONE).join();

        // Then at its next renewal the broker is fenced: one ERROR line, and /ready says so
        await().atMost(Duration.ofSeconds(30)).until(() -> broker.log().contains("Fenced:"));
        assertThat(broker.log().lines().filter(line -> line.contains(" ERROR "))).singleElement()
                .asString().contains("the claim of the bucket prefix was taken over", "broker 7 on host elsewhere");
        HttpResponse<String> ready = HttpProbe.get(httpPort(broker), "/ready");
        assertThat(ready.statusCode()).isEqualTo(503);
        assertThat(ready.body()).contains("fenced");

        // And it writes nothing more to the bucket, while producers still get acknowledgements from its disk
        Map<String, String> objectsAtFence = objects();
        produce(broker.bootstrapServers(), "after", 100);
        // (segments roll after 500 ms and the copy pass runs every 200 ms: 5 s is many chances to write)
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
                .until(() -> objects().equals(objectsAtFence));
        assertThat(objects()).isEqualTo(objectsAtFence);
        assertThat(bucket.get("_claim.json").join()).asString(StandardCharsets.UTF_8).isEqualTo(taken);
    }

    /** Every key under the prefix with its ETag. */
    private Map<String, String> objects() {
        Map<String, String> objects = new HashMap<>();
        bucket.listAll("").join().forEach(object -> objects.put(object.key(), object.etag()));
        return objects;
    }

    private static int httpPort(BrokerProcess broker) {
        Matcher matcher = Pattern.compile("metrics on http://[^:]+:(\\d+)/metrics").matcher(broker.log());
        assertThat(matcher.find()).as("the HTTP port in the broker's log").isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** Sends {@code count} values {@code <name>-<n>} with acks=all; returns the acknowledged offset of each. */
    private static Map<String, Long> produce(String bootstrap, String name, int count) throws Exception {
        Map<String, Long> acked = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = Clients.producer(bootstrap, Map.of())) {
            for (int n = 0; n < count; n++) {
                String value = name + "-" + n + "-" + "x".repeat(100);
                acked.put(value, producer.send(new ProducerRecord<>(TOPIC, 0, null, value)).get(30, TimeUnit.SECONDS)
                        .offset());
            }
        }
        return acked;
    }

    private static long maxOffset(Map<String, Long> acked) {
        return acked.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    }

    /** Waits until the partition's manifest in the bucket lists a segment holding {@code offset}. */
    private void awaitTiered(long offset) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(250))
                .until(() -> tieredEnd() > offset);
    }

    private long tieredEnd() {
        long end = -1;
        for (ObjectInfo object : bucket.listAll("topics/").join()) {
            if (object.key().endsWith("/0/manifest.json")) {
                for (ManifestSegment segment : PartitionManifest.fromJson(bucket.get(object.key()).join()).segments()) {
                    end = Math.max(end, segment.lastOffset() + 1);
                }
            }
        }
        return end;
    }

    /** Starts a broker on {@code dataDir}, again as long as it refuses because the killed broker's claim is live. */
    private BrokerProcess startWhenTheClaimExpires(Path dataDir) {
        java.util.concurrent.atomic.AtomicReference<BrokerProcess> started = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .ignoreExceptionsMatching(e -> e instanceof IllegalStateException && e.getMessage().contains("is claimed by"))
                .until(() -> {
                    started.set(brokers.start(dataDir, brokerProperties()));
                    return true;
                });
        return started.get();
    }
}
