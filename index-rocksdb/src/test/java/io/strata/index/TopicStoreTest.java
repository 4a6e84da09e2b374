package io.strata.index;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class TopicStoreTest extends IndexStoreTestSupport {

    private static final UUID ORDERS_ID = UUID.fromString("5b0c6a1e-0000-4000-8000-00000000abcd");

    private static TopicRecord orders() {
        return new TopicRecord("orders", ORDERS_ID, 3, (short) 1,
                Map.of("retention.ms", "86400000", "cleanup.policy", "delete"), 1_700_000_000_000L);
    }

    private static TopicRecord topic(String name) {
        return new TopicRecord(name, UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)), 1, (short) 3,
                Map.of(), 1);
    }

    @Test
    void getOfAnUnknownTopicIsEmpty() {
        assertThat(store.topics().get("orders")).isEmpty();
    }

    @Test
    void putThenGetRoundTripsEveryFieldIncludingConfigs() {
        write(batch -> store.topics().put(batch, orders()));

        assertThat(store.topics().get("orders")).hasValueSatisfying(read -> {
            assertThat(read).isEqualTo(orders());
            assertThat(read.configs()).containsOnly(Map.entry("retention.ms", "86400000"),
                    Map.entry("cleanup.policy", "delete"));
        });
    }

    @Test
    void topicWithoutConfigsRoundTripsWithAnEmptyMap() {
        write(batch -> store.topics().put(batch, topic("bare")));

        assertThat(store.topics().get("bare")).hasValueSatisfying(read -> assertThat(read.configs()).isEmpty());
    }

    @Test
    void topicWithANonAsciiNameRoundTrips() {
        TopicRecord topic = topic("zahlungen-€-日本");

        write(batch -> store.topics().put(batch, topic));

        assertThat(store.topics().get("zahlungen-€-日本")).contains(topic);
    }

    @Test
    void listReturnsEveryTopicOrderedByName() {
        write(batch -> {
            store.topics().put(batch, topic("payments"));
            store.topics().put(batch, orders());
            store.topics().put(batch, topic("audit"));
        });

        assertThat(store.topics().list()).extracting(TopicRecord::name).containsExactly("audit", "orders", "payments");
    }

    @Test
    void listKeepsConfigsOfEveryTopic() {
        write(batch -> {
            store.topics().put(batch, orders());
            store.topics().put(batch, topic("audit"));
        });

        assertThat(store.topics().list()).containsExactly(topic("audit"), orders());
    }

    @Test
    void listOfAnEmptyStoreIsEmpty() {
        assertThat(store.topics().list()).isEmpty();
    }

    @Test
    void putOfAnExistingNameReplacesTheRecord() {
        write(batch -> store.topics().put(batch, orders()));

        TopicRecord updated = orders().withPartitions(6).withConfigs(Map.of("retention.ms", "1000"));
        write(batch -> store.topics().put(batch, updated));

        assertThat(store.topics().get("orders")).contains(updated);
        assertThat(store.topics().list()).hasSize(1);
    }

    @Test
    void deleteRemovesOnlyThatTopic() {
        write(batch -> {
            store.topics().put(batch, orders());
            store.topics().put(batch, topic("audit"));
        });

        write(batch -> store.topics().delete(batch, "orders"));

        assertThat(store.topics().get("orders")).isEmpty();
        assertThat(store.topics().list()).containsExactly(topic("audit"));
    }

    @Test
    void topicsSurviveReopen() {
        write(batch -> store.topics().put(batch, orders()));

        reopen();

        assertThat(store.topics().get("orders")).contains(orders());
    }

    @Test
    void recordIsStoredAsReadableJsonUnderItsName() throws Exception {
        write(batch -> store.topics().put(batch, orders()));

        Map<String, String> raw = rawEntries(RocksDbIndexStore.CF_TOPICS);

        String nameHex = HEX.formatHex("orders".getBytes(StandardCharsets.UTF_8));
        assertThat(raw).containsOnlyKeys(nameHex);
        JsonNode json = new ObjectMapper().readTree(HEX.parseHex(raw.get(nameHex)));
        assertThat(json.get("name").asText()).isEqualTo("orders");
        assertThat(json.get("topicId").asText()).isEqualTo(ORDERS_ID.toString());
        assertThat(json.get("partitions").asInt()).isEqualTo(3);
        assertThat(json.get("replicationFactor").asInt()).isEqualTo(1);
        assertThat(json.get("configs").get("retention.ms").asText()).isEqualTo("86400000");
        assertThat(json.get("createdMs").asLong()).isEqualTo(1_700_000_000_000L);
    }

    @Test
    void corruptJsonIsReportedWithTheTopicName() {
        rawPut(RocksDbIndexStore.CF_TOPICS, "orders".getBytes(StandardCharsets.UTF_8),
                "{not json".getBytes(StandardCharsets.UTF_8));

        assertThatThrownBy(() -> store.topics().get("orders"))
                .isInstanceOf(IndexStoreException.class)
                .hasMessageContaining("orders");
    }

    @Test
    void recordCopiesItsConfigs() {
        Map<String, String> configs = new HashMap<>(Map.of("retention.ms", "1"));
        TopicRecord topic = new TopicRecord("t", ORDERS_ID, 1, (short) 1, configs, 0);

        configs.put("retention.ms", "2");

        assertThat(topic.configs()).containsExactly(Map.entry("retention.ms", "1"));
    }

    @Test
    void withPartitionsChangesOnlyThePartitionCount() {
        TopicRecord grown = orders().withPartitions(12);

        assertThat(grown).isEqualTo(new TopicRecord("orders", ORDERS_ID, 12, (short) 1, orders().configs(),
                1_700_000_000_000L));
    }
}
