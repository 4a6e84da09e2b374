package io.strata.tiering.config;

/**
 * The effective value of one topic config and where it comes from, as DescribeConfigs and
 * CreateTopics report it.
 *
 * @param name   Kafka's config name
 * @param value  the value as text ({@code null} only for configs without a value)
 * @param source where the value was set
 */
public record TopicConfigValue(String name, String value, Source source) {

    /** Kafka's config sources that apply to topic configs, with their wire ids. */
    public enum Source {
        /** Set on the topic (Kafka's DYNAMIC_TOPIC_CONFIG). */
        TOPIC(1),
        /** Set in the broker's properties or environment (Kafka's STATIC_BROKER_CONFIG). */
        BROKER(4),
        /** Kafka's default (DEFAULT_CONFIG). */
        DEFAULT(5);

        private final byte id;

        Source(int id) {
            this.id = (byte) id;
        }

        public byte id() {
            return id;
        }
    }
}
