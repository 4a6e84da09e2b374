package io.strata.tiering.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.record.TimestampType;
import org.junit.jupiter.api.Test;

class TopicConfigDefTest {

    @Test
    void defaultsAreKafkasDefaults() {
        LogConfig config = LogConfig.defaults();

        assertThat(config.segmentBytes()).isEqualTo(1024 * 1024 * 1024);
        assertThat(config.segmentMs()).isEqualTo(7 * 24 * 3600 * 1000L);
        assertThat(config.retentionMs()).isEqualTo(7 * 24 * 3600 * 1000L);
        assertThat(config.retentionBytes()).isEqualTo(-1);
        assertThat(config.maxMessageBytes()).isEqualTo(1024 * 1024 + 12);
        assertThat(config.indexIntervalBytes()).isEqualTo(4096);
        assertThat(config.flushIntervalMessages()).isEqualTo(Long.MAX_VALUE);
        assertThat(config.timestampType()).isEqualTo(TimestampType.CREATE_TIME);
    }

    @Test
    void topicOverridesWinOverBrokerDefaults() {
        Map<String, String> broker = TopicConfigDef.defaultsFromBroker(Map.of("log.segment.bytes", "4096",
                "log.retention.ms", "1000", "message.max.bytes", "2048", "unrelated.property", "x"));

        LogConfig config = LogConfig.of(broker, Map.of("retention.ms", "5000",
                "message.timestamp.type", "LogAppendTime"));

        assertThat(broker).containsOnlyKeys("segment.bytes", "retention.ms", "max.message.bytes");
        assertThat(config.segmentBytes()).isEqualTo(4096);
        assertThat(config.retentionMs()).isEqualTo(5000);
        assertThat(config.maxMessageBytes()).isEqualTo(2048);
        assertThat(config.timestampType()).isEqualTo(TimestampType.LOG_APPEND_TIME);
    }

    @Test
    void unknownNamesAndInvalidValuesAreRefusedByName() {
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("segment.byte", "2048")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.byte");
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("segment.bytes", "1023")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("segment.bytes");
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("retention.ms", "soon")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("retention.ms");
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("message.timestamp.type", "WallClock")))
                .isInstanceOf(ConfigException.class);
    }

    @Test
    void compactionAndBrokerSideCompressionAreRefused() {
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("cleanup.policy", "compact")))
                .isInstanceOf(ConfigException.class);
        assertThatThrownBy(() -> TopicConfigDef.validate(Map.of("compression.type", "zstd")))
                .isInstanceOf(ConfigException.class);
        TopicConfigDef.validate(Map.of("cleanup.policy", "delete", "compression.type", "producer"));
    }

    @Test
    void inertKafkaConfigsAreAccepted() {
        for (String name : TopicConfigDef.INERT) {
            assertThat(TopicConfigDef.isKnown(name)).as(name).isTrue();
        }
        TopicConfigDef.validate(Map.of("min.insync.replicas", "2", "preallocate", "true"));
    }

    @Test
    void describeReportsEveryConfigWithItsSource() {
        List<TopicConfigValue> values = TopicConfigDef.describe(Map.of("segment.bytes", "4096",
                "flush.ms", Long.toString(Long.MAX_VALUE)), Map.of("retention.ms", "5000"));

        assertThat(values).extracting(TopicConfigValue::name).isSorted()
                .containsAll(TopicConfigDef.def().names());
        assertThat(values).contains(
                new TopicConfigValue("retention.ms", "5000", TopicConfigValue.Source.TOPIC),
                new TopicConfigValue("segment.bytes", "4096", TopicConfigValue.Source.BROKER),
                new TopicConfigValue("retention.bytes", "-1", TopicConfigValue.Source.DEFAULT),
                new TopicConfigValue("flush.ms", Long.toString(Long.MAX_VALUE), TopicConfigValue.Source.DEFAULT));
    }
}
