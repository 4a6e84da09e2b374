package io.strata.broker.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bytes and records in and out, per topic and for the whole broker (Kafka's {@code BrokerTopicMetrics}
 * {@code BytesInPerSec}, {@code BytesOutPerSec}, {@code MessagesInPerSec}; names in {@link BrokerMetrics}).
 * A topic's counters are created on its first traffic and then found by one map lookup per topic and
 * request, with no tag building; they are removed when the topic is deleted. The broker-wide series have
 * the same names without the {@code topic} tag, as in Kafka, so sum over {@code {topic!=""}} or read the
 * untagged series, never both. Thread-safe.
 */
public final class TopicTraffic {

    static final String BYTES_IN = "kafka.server.brokertopicmetrics.bytes.in";
    static final String BYTES_OUT = "kafka.server.brokertopicmetrics.bytes.out";
    static final String MESSAGES_IN = "kafka.server.brokertopicmetrics.messages.in";

    private final MeterRegistry registry;
    private final Map<String, Topic> topics = new ConcurrentHashMap<>();
    private final Topic total;

    TopicTraffic(MeterRegistry registry) {
        this.registry = registry;
        this.total = new Topic(registry, Tags.empty(), null);
    }

    /** The counters of {@code topic}, created on first use. */
    public Topic topic(String topic) {
        Topic meters = topics.get(topic);
        return meters != null ? meters : topics.computeIfAbsent(topic,
                name -> new Topic(registry, Tags.of("topic", name), total));
    }

    /** Removes a deleted topic's series. */
    void remove(String topic) {
        Topic meters = topics.remove(topic);
        if (meters != null) {
            meters.counters().forEach(registry::remove);
        }
    }

    /** One topic's counters, which also count into the broker-wide ones. Thread-safe. */
    public static final class Topic {
        private final Counter bytesIn;
        private final Counter bytesOut;
        private final Counter messagesIn;
        private final Topic total;

        private Topic(MeterRegistry registry, Tags tags, Topic total) {
            this.bytesIn = Counter.builder(BYTES_IN).tags(tags)
                    .description("Bytes of record batches appended (Kafka BytesInPerSec)").register(registry);
            this.bytesOut = Counter.builder(BYTES_OUT).tags(tags)
                    .description("Bytes of records returned to consumers (Kafka BytesOutPerSec)").register(registry);
            this.messagesIn = Counter.builder(MESSAGES_IN).tags(tags)
                    .description("Records appended (Kafka MessagesInPerSec)").register(registry);
            this.total = total;
        }

        /** Records an append of {@code records} records in {@code bytes} bytes of batches. */
        public void appended(long bytes, long records) {
            bytesIn.increment(bytes);
            messagesIn.increment(records);
            if (total != null) {
                total.appended(bytes, records);
            }
        }

        /** Records {@code bytes} bytes of records returned by a fetch. */
        public void fetched(long bytes) {
            bytesOut.increment(bytes);
            if (total != null) {
                total.fetched(bytes);
            }
        }

        private List<Counter> counters() {
            return List.of(bytesIn, bytesOut, messagesIn);
        }
    }
}
