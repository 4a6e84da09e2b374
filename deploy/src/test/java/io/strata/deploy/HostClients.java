package io.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What the deployment tests do from the host, through the ports a compose file publishes: Kafka's Java clients,
 * HTTP requests, and a look at whether a port is free before {@code up}.
 */
final class HostClients {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

    private HostClients() {
    }

    /**
     * Produces one record per key (value {@code value-of-<key>}) with an idempotent acks=all producer and waits
     * for every acknowledgement; the records acknowledged, key to value, in the order sent.
     */
    static Map<String, String> produce(String bootstrap, String topic, List<String> keys) {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        Map<String, String> acknowledged = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer =
                new KafkaProducer<>(config, new StringSerializer(), new StringSerializer())) {
            List<Future<?>> acks = new ArrayList<>();
            for (String key : keys) {
                acks.add(producer.send(new ProducerRecord<>(topic, key, "value-of-" + key)));
            }
            for (Future<?> ack : acks) {
                ack.get(2, TimeUnit.MINUTES);
            }
        } catch (Exception e) {
            throw new AssertionError("Producing to " + topic + " through " + bootstrap + " failed", e);
        }
        keys.forEach(key -> acknowledged.put(key, "value-of-" + key));
        return acknowledged;
    }

    /**
     * Every record of partitions 0..{@code partitions}-1 of {@code topic} from the beginning up to the end offsets
     * read at the start, key to value (no consumer group); fails on a key read twice or after two minutes.
     */
    static Map<String, String> consumeAll(String bootstrap, String topic, int partitions) {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        Map<String, String> seen = new HashMap<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> assigned =
                    IntStream.range(0, partitions).mapToObj(p -> new TopicPartition(topic, p)).toList();
            consumer.assign(assigned);
            consumer.seekToBeginning(assigned);
            Map<TopicPartition, Long> ends = consumer.endOffsets(assigned, Duration.ofSeconds(60));
            long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (assigned.stream().anyMatch(tp -> consumer.position(tp, Duration.ofSeconds(60)) < ends.get(tp))) {
                assertThat(System.nanoTime()).as("consumed %d records, positions short of %s", seen.size(), ends)
                        .isLessThan(deadline);
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    String before = seen.put(record.key(), record.value());
                    assertThat(before).as("key %s read twice (%s offset %d)", record.key(),
                            record.partition(), record.offset()).isNull();
                }
            }
        }
        return seen;
    }

    /** The HTTP status of a GET of {@code url}, or -1 when nothing answers. */
    static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The body of a GET of {@code url}, which must answer 200. */
    static String body(String url) throws IOException, InterruptedException {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(url))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        assertThat(response.statusCode()).as("GET %s", url).isEqualTo(200);
        return response.body();
    }

    /** Fails unless every one of {@code ports} can be bound on the host (compose would fail to publish it). */
    static void requireFree(List<Integer> ports) {
        for (int port : ports) {
            assertThat(free(port)).as("host port %d is taken: stop what uses it, then run again", port).isTrue();
        }
    }

    private static boolean free(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress("0.0.0.0", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
