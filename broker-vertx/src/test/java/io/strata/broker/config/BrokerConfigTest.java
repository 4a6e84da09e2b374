package io.strata.broker.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.strata.objectstore.s3.S3Config;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerConfigTest {

    @TempDir
    Path tempDir;

    @Test
    void defaultsFollowKafkaExceptWhereDocumented() {
        // Given no file and no environment
        BrokerConfig config = BrokerConfig.load(Optional.empty(), Map.of());

        // Then
        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "127.0.0.1", 9092));
        assertThat(config.advertisedListener()).isEqualTo(config.listener());
        assertThat(config.logDir()).isEqualTo(Paths.get("./data"));
        assertThat(config.nodeId()).isZero();
        assertThat(config.autoCreateTopicsEnable()).isTrue();
        assertThat(config.numPartitions()).isEqualTo(1);
        assertThat(config.defaultReplicationFactor()).isEqualTo((short) 1);
        assertThat(config.messageMaxBytes()).isEqualTo(1_048_588);
        assertThat(config.socketRequestMaxBytes()).isEqualTo(104_857_600);
        assertThat(config.logSegmentBytes()).isEqualTo(512 * 1024 * 1024);
        assertThat(config.logRollMs()).isEqualTo(600_000L);
        assertThat(config.logRetentionMs()).isEqualTo(168L * 3_600_000L);
        assertThat(config.logRetentionBytes()).isEqualTo(-1L);
        assertThat(config.logFlushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.logFlushIntervalMs()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.logIndexIntervalBytes()).isEqualTo(4096);
        assertThat(config.connectionsMaxIdleMs()).isEqualTo(600_000L);
        assertThat(config.maxConnections()).isEqualTo(10_000);
        assertThat(config.numNetworkThreads()).isEqualTo(3);
        assertThat(config.connectionMaxInflightBytes()).isEqualTo(104_857_600L);
        assertThat(config.connectionMaxInflightRequests()).isEqualTo(100);
        assertThat(config.queuedMaxRequestBytes()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
        assertThat(config.fetchMaxBytes()).isEqualTo(55 * 1024 * 1024);
        assertThat(config.fetchMaxWaitMs()).isEqualTo(30_000L);
        assertThat(config.maxPartitions()).isEqualTo(10_000);
        assertThat(config.workerPoolSize()).isEqualTo(16);
        assertThat(config.httpPort()).hasValue(9464);
        assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    }

    @Test
    void environmentOverridesFileWhichOverridesDefaults() throws IOException {
        // Given a file setting two keys and an environment overriding one of them
        Path file = tempDir.resolve("broker.properties");
        Files.writeString(file, "num.partitions=3\nlog.segment.bytes=2048\n");
        Map<String, String> env = Map.of("STRATA_NUM_PARTITIONS", "7", "PATH", "/usr/bin");

        // When
        BrokerConfig config = BrokerConfig.load(Optional.of(file), env);

        // Then
        assertThat(config.numPartitions()).isEqualTo(7);
        assertThat(config.logSegmentBytes()).isEqualTo(2048);
        assertThat(config.getString("path")).isEmpty();
    }

    @Test
    void strataKeysAreSetFromTheEnvironmentWithThePrefixRepeated() {
        BrokerConfig config = new BrokerConfig(new java.util.Properties(),
                Map.of(BrokerConfig.keyToEnv("strata.worker.pool.size"), "4"));

        assertThat(BrokerConfig.keyToEnv("strata.worker.pool.size")).isEqualTo("STRATA_STRATA_WORKER_POOL_SIZE");
        assertThat(config.workerPoolSize()).isEqualTo(4);
    }

    @Test
    void unknownKeysAreKeptAndRetrievable() {
        BrokerConfig config = new BrokerConfig(new java.util.Properties(),
                Map.of("STRATA_S3_BUCKET", "strata-data"));

        assertThat(config.getString("s3.bucket")).contains("strata-data");
        assertThat(config.getString("no.such.key")).isEmpty();
    }

    @Test
    void listenerAcceptsPlainHostPortAndWildcardIsAdvertisedAsLoopback() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "0.0.0.0:19092"));

        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "0.0.0.0", 19092));
        assertThat(config.advertisedListener()).isEqualTo(new Endpoint("PLAINTEXT", "127.0.0.1", 19092));
    }

    @Test
    void advertisedListenersAreReadSeparately() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "listeners", "PLAINTEXT://:9092",
                "advertised.listeners", "PLAINTEXT://broker-1.example:29092"));

        assertThat(config.listener().host()).isEqualTo("0.0.0.0");
        assertThat(config.advertisedListener()).isEqualTo(new Endpoint("PLAINTEXT", "broker-1.example", 29092));
    }

    @Test
    void ipv6ListenerIsParsed() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://[::1]:9093"));

        assertThat(config.listener()).isEqualTo(new Endpoint("PLAINTEXT", "::1", 9093));
        assertThat(config.listener()).hasToString("PLAINTEXT://[::1]:9093");
    }

    @Test
    void firstOfSeveralLogDirsIsUsed() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.dirs", "/var/a, /var/b"));

        assertThat(config.logDir()).isEqualTo(Paths.get("/var/a"));
    }

    @Test
    void rollAndRetentionFallBackToCoarserUnits() {
        BrokerConfig config = BrokerConfig.of(Map.of("log.roll.hours", "2", "log.retention.minutes", "5"));

        assertThat(config.logRollMs()).isEqualTo(2L * 3_600_000L);
        assertThat(config.logRetentionMs()).isEqualTo(5L * 60_000L);
    }

    @Test
    void millisecondSettingsWinOverCoarserUnitsAndNegativeRetentionMeansUnlimited() {
        BrokerConfig config = BrokerConfig.of(Map.of(
                "log.roll.hours", "2", "log.roll.ms", "1000",
                "log.retention.hours", "1", "log.retention.ms", "-5"));

        assertThat(config.logRollMs()).isEqualTo(1000L);
        assertThat(config.logRetentionMs()).isEqualTo(-1L);
    }

    @Test
    void nonNumericValueIsRejectedNamingKeyAndValue() {
        assertThatThrownBy(() -> new BrokerConfig(new java.util.Properties(), Map.of("STRATA_NUM_PARTITIONS", "many")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("num.partitions")
                .hasMessageContaining("many");
    }

    @Test
    void outOfRangeValueIsRejected() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("socket.request.max.bytes", "0")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("socket.request.max.bytes");
    }

    @Test
    void invalidBooleanIsRejected() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("auto.create.topics.enable", "yes")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("auto.create.topics.enable")
                .hasMessageContaining("yes");
    }

    @Test
    void invalidListenerIsRejected() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "PLAINTEXT://localhost:port")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("listeners");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("listeners", "SSL://localhost:9093")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("PLAINTEXT");
    }

    @Test
    void typedGetterOnUnknownKeyRejectsInvalidValue() {
        BrokerConfig config = BrokerConfig.of(Map.of("strata.s3.max.connections", "ten"));

        assertThatThrownBy(() -> config.getInt("strata.s3.max.connections", 4))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("strata.s3.max.connections");
    }

    @Test
    void toStringListsEffectiveValuesAndHidesSecrets() {
        BrokerConfig config = BrokerConfig.of(Map.of("num.partitions", "3", "strata.s3.secret.key", "hunter2"));

        assertThat(config.toString())
                .contains("num.partitions=3")
                .contains("log.retention.ms=604800000")
                .contains("strata.s3.secret.key=[hidden]")
                .doesNotContain("hunter2");
    }

    @Test
    void httpServerDefaultsToPort9464OnTheListenerHost() {
        BrokerConfig config = BrokerConfig.of(Map.of("listeners", "PLAINTEXT://0.0.0.0:9092"));

        assertThat(config.httpPort()).hasValue(9464);
        assertThat(config.httpHost()).isEqualTo("0.0.0.0");
        assertThat(config.knownSettings()).containsEntry("http.port", "9464").containsEntry("http.host", "0.0.0.0");
    }

    @Test
    void httpPortIsSetFromTheEnvironmentAndMinusOneDisablesTheServer() {
        BrokerConfig random = new BrokerConfig(new java.util.Properties(), Map.of("STRATA_HTTP_PORT", "0",
                "STRATA_HTTP_HOST", "127.0.0.2"));
        BrokerConfig disabled = new BrokerConfig(new java.util.Properties(), Map.of("STRATA_HTTP_PORT", "-1"));

        assertThat(random.httpPort()).hasValue(0);
        assertThat(random.httpHost()).isEqualTo("127.0.0.2");
        assertThat(disabled.httpPort()).isEmpty();
    }

    @Test
    void invalidHttpPortIsRejectedNamingTheKey() {
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("http.port", "-2")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port")
                .hasMessageContaining("-2");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("http.port", "65536")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port");
        assertThatThrownBy(() -> BrokerConfig.of(Map.of("http.port", "metrics")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("http.port")
                .hasMessageContaining("metrics");
    }

    @Test
    void unreadableFileIsReported() {
        assertThatThrownBy(() -> BrokerConfig.load(Optional.of(tempDir.resolve("missing.properties")), Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("missing.properties");
    }

    @Test
    void theGroupOffsetsSyncIntervalIsReadAndValidated() {
        assertThat(TieringSettings.from(BrokerConfig.of(Map.of())).remote().offsetsSyncIntervalMs()).isEqualTo(5_000);
        assertThat(TieringSettings.from(BrokerConfig.of(Map.of("offsets.bucket.sync.interval.ms", "250"))).remote()
                .offsetsSyncIntervalMs()).isEqualTo(250);
        assertThatThrownBy(() -> TieringSettings.from(BrokerConfig.of(Map.of("offsets.bucket.sync.interval.ms", "0"))))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void knownKeysCoverTheBrokersTheRemoteTiersAndTheS3ClientsSettings() {
        // Given the settings this class reports, and the S3 client's variables
        BrokerConfig config = BrokerConfig.load(Optional.empty(), Map.of());

        // Then every one of them is known, and so are the HTTP port and the group coordinator's settings
        assertThat(BrokerConfig.knownKeys())
                .containsAll(config.knownSettings().keySet())
                .containsAll(TieringSettings.keys())
                .contains("s3.endpoint", "s3.bucket", "s3.access.key", "s3.secret.key", "s3.path.style", "s3.region",
                        "s3.prefix", "http.port", "group.max.size", "remote.fetch.max.wait.ms", "log.dir",
                        "offsets.bucket.sync.interval.ms")
                .doesNotContain("s3.endpiont");
        assertThat(S3Config.ENVIRONMENT_VARIABLES)
                .allSatisfy(variable -> assertThat(BrokerConfig.knownKeys()).contains(BrokerConfig.envToKey(variable)));
    }
}
