package io.strata.broker.tiered;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Records sent to one partition and what the broker said about them: keyed records with two headers
 * and a value that is half random, half repetitive (so compression has something to do), each with an
 * explicit CreateTime timestamp. {@link #assertSame} checks consumed records against them byte for
 * byte.
 */
final class Workload {

    /** One record as sent, with the offset the broker assigned. */
    record Sent(long offset, long timestamp, byte[] key, byte[] value, List<Header> headers) {
    }

    private final TopicPartition tp;
    private final Random random;
    private final List<Sent> sent = new ArrayList<>();

    Workload(TopicPartition tp, long seed) {
        this.tp = tp;
        this.random = new Random(seed);
    }

    /**
     * Sends {@code count} records with timestamps {@code firstTimestamp}, {@code firstTimestamp + step}, ...
     * and waits for every acknowledgement.
     */
    List<Sent> send(KafkaProducer<byte[], byte[]> producer, int count, long firstTimestamp, long step)
            throws Exception {
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>(count);
        List<Future<RecordMetadata>> acks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            byte[] key = ("key-" + (sent.size() + i) + "-" + Long.toHexString(random.nextLong())).getBytes();
            byte[] value = new byte[100 + random.nextInt(200)];
            random.nextBytes(value);
            for (int j = value.length / 2; j < value.length; j++) {
                value[j] = (byte) ('a' + j % 7);
            }
            byte[] trace = new byte[8];
            random.nextBytes(trace);
            List<Header> headers = List.of(new RecordHeader("trace", trace),
                    new RecordHeader("seq", Integer.toString(sent.size() + i).getBytes()));
            ProducerRecord<byte[], byte[]> record = new ProducerRecord<>(tp.topic(), tp.partition(),
                    firstTimestamp + i * step, key, value, headers);
            records.add(record);
            acks.add(producer.send(record));
        }
        producer.flush();
        List<Sent> batch = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            RecordMetadata metadata = acks.get(i).get(30, TimeUnit.SECONDS);
            ProducerRecord<byte[], byte[]> record = records.get(i);
            batch.add(new Sent(metadata.offset(), record.timestamp(), record.key(), record.value(),
                    List.of(record.headers().toArray())));
        }
        sent.addAll(batch);
        return batch;
    }

    List<Sent> sent() {
        return sent;
    }

    /** The sent records from {@code offset} on. */
    List<Sent> from(long offset) {
        return sent.stream().filter(s -> s.offset() >= offset).toList();
    }

    /** {@code consumed} are {@code expected}, in order: offsets, timestamps, keys, values and headers. */
    static void assertSame(List<ConsumerRecord<byte[], byte[]>> consumed, List<Sent> expected) {
        assertThat(consumed).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            Sent want = expected.get(i);
            ConsumerRecord<byte[], byte[]> got = consumed.get(i);
            assertThat(got.offset()).as("offset of record %d", i).isEqualTo(want.offset());
            assertThat(got.timestamp()).as("timestamp of offset %d", want.offset()).isEqualTo(want.timestamp());
            assertThat(got.key()).as("key of offset %d", want.offset()).isEqualTo(want.key());
            assertThat(got.value()).as("value of offset %d", want.offset()).isEqualTo(want.value());
            Header[] headers = got.headers().toArray();
            assertThat(headers).as("headers of offset %d", want.offset()).hasSize(want.headers().size());
            for (int h = 0; h < headers.length; h++) {
                assertThat(headers[h].key()).isEqualTo(want.headers().get(h).key());
                assertThat(headers[h].value()).as("header %s of offset %d", headers[h].key(), want.offset())
                        .isEqualTo(want.headers().get(h).value());
            }
        }
    }
}
