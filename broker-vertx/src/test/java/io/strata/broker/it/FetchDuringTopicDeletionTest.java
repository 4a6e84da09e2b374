package io.strata.broker.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.strata.broker.network.RawKafkaClient;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.message.FetchResponseData.PartitionData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;

/**
 * A Fetch response that is still being sent from a segment file (sendfile, to a client that reads slowly) when its
 * topic is deleted goes out whole: the file stays open until the response no longer needs it.
 */
class FetchDuringTopicDeletionTest extends BrokerTestBase {

    private static final int RECORDS = 200;
    private static final int RECORD_BYTES = 100 * 1024;
    /** Far more than the kernel buffers of both ends hold, so the send is still under way at the deletion. */
    private static final int FETCH_BYTES = 64 * 1024 * 1024;

    @Test
    void aFetchBeingSentWhileItsTopicIsDeletedArrivesWhole() throws Exception {
        // Given a topic holding about 20 MiB in its active segment
        createTopic("doomed", 1, Map.of());
        KafkaProducer<String, String> producer = producer(Map.of(ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.BATCH_SIZE_CONFIG, 1024 * 1024));
        String value = "v".repeat(RECORD_BYTES);
        for (int i = 0; i < RECORDS; i++) {
            producer.send(new ProducerRecord<>("doomed", 0, "k" + i, value));
        }
        producer.flush();

        // And a client with a 4 KiB receive window that fetches all of it and reads the first bytes only
        try (RawKafkaClient client = new RawKafkaClient(broker.port(), 4096)) {
            RequestHeader header = client.send(RawRequests.fetch(FETCH_BYTES, 1, 500,
                    List.of(new RawRequests.FetchTarget("doomed", 0, 0, FETCH_BYTES))), 1);
            int size = client.readFrameSize();
            assertThat(size).as("the response carries the records").isGreaterThan(RECORDS * RECORD_BYTES);
            byte[] start = client.readBytes(1024);

            // When the topic is deleted while the response is being sent
            admin().deleteTopics(Set.of("doomed")).all().get(30, TimeUnit.SECONDS);
            Thread.sleep(500);

            // Then the rest of the response arrives and holds every record
            byte[] rest = client.readBytes(size - start.length);
            ByteBuffer frame = ByteBuffer.allocate(size).put(start).put(rest).flip();
            FetchResponse response = (FetchResponse) AbstractResponse.parseResponse(frame, header);
            PartitionData partition = response.data().responses().get(0).partitions().get(0);
            assertThat(partition.errorCode()).isEqualTo(Errors.NONE.code());
            long records = 0;
            for (RecordBatch batch : FetchResponse.recordsOrFail(partition).batches()) {
                batch.ensureValid();
                records += batch.nextOffset() - batch.baseOffset();
            }
            assertThat(records).isEqualTo(RECORDS);
        }
    }
}
