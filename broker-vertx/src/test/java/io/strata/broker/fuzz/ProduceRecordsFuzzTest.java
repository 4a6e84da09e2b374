package io.strata.broker.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.strata.broker.network.RawKafkaClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.DefaultRecordBatch;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.Record;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.record.Records;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.utils.BufferSupplier;
import org.apache.kafka.common.utils.CloseableIterator;
import org.apache.kafka.common.utils.Crc32C;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Mutated record batches into the produce path of an in-process broker. Each input is one v2 record batch whose
 * length, magic and CRC are set right before sending (so that the fuzzer's mutations reach what lies behind the
 * CRC: attributes, compression, offsets, timestamps, producer fields, record count, the records themselves).
 *
 * <p>The broker must either refuse the batch with a Kafka error (and not append it: the log end does not move),
 * or acknowledge it, and then a Fetch from the acknowledged offset returns a batch that a consumer can read:
 * its CRC holds, it is not a control batch, and every one of its declared records decodes (decompressed, for a
 * compressed batch) with offsets inside the batch. Acknowledged-and-unreadable is the failure this target hunts.
 *
 * <p>Regression inputs: {@code src/test/resources/io/strata/broker/fuzz/ProduceRecordsFuzzTestInputs/
 * acknowledgedBatchesAreReadableAndTheRestAreRefused/}; fuzzing: see {@code src/test/fuzz/run-fuzz.sh}.
 */
class ProduceRecordsFuzzTest {
    private static final FuzzInputCounter COUNTER = new FuzzInputCounter(
            "ProduceRecordsFuzzTest#acknowledgedBatchesAreReadableAndTheRestAreRefused");
    private static final String TOPIC = "fuzz-records";
    /** Refusals of a batch a client sent; anything else (UNKNOWN_SERVER_ERROR, KAFKA_STORAGE_ERROR...) is a finding. */
    private static final Set<Errors> REFUSALS = EnumSet.of(Errors.CORRUPT_MESSAGE, Errors.INVALID_RECORD,
            Errors.INVALID_TIMESTAMP, Errors.MESSAGE_TOO_LARGE, Errors.RECORD_LIST_TOO_LARGE,
            Errors.UNSUPPORTED_COMPRESSION_TYPE, Errors.UNKNOWN_PRODUCER_ID, Errors.OUT_OF_ORDER_SEQUENCE_NUMBER,
            Errors.INVALID_PRODUCER_EPOCH, Errors.INVALID_TXN_STATE, Errors.INVALID_PRODUCER_ID_MAPPING,
            Errors.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, Errors.INVALID_REQUEST, Errors.UNSUPPORTED_VERSION);
    private static final int FETCH_MAX_BYTES = 4 * 1024 * 1024;

    private static FuzzedBroker broker;
    private static RawKafkaClient client;
    private static int correlationId;

    @BeforeAll
    static void startBroker() throws IOException {
        broker = FuzzedBroker.start(Map.of());
        client = new RawKafkaClient(broker.port());
        CreateTopicsResponse created = client.call(new CreateTopicsRequest.Builder(new CreateTopicsRequestData()
                .setTimeoutMs(10_000)
                .setTopics(new CreateTopicsRequestData.CreatableTopicCollection(List.of(
                        new CreateTopicsRequestData.CreatableTopic().setName(TOPIC).setNumPartitions(1)
                                .setReplicationFactor((short) 1)).iterator()))).build((short) 7), ++correlationId);
        assertThat(created.errorCounts()).containsOnlyKeys(Errors.NONE);
    }

    @AfterAll
    static void stopBroker() throws IOException {
        COUNTER.write();
        if (client != null) {
            client.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @FuzzTest
    void acknowledgedBatchesAreReadableAndTheRestAreRefused(byte[] input) throws IOException {
        COUNTER.inputStarted();
        FuzzedBroker.allowLoopbackConnections();
        if (input.length < DefaultRecordBatch.RECORD_BATCH_OVERHEAD) {
            return;
        }
        ByteBuffer batch = withValidFraming(input);
        long logEndBefore = logEndOffset();

        ProduceResponse response = client.call(FuzzRequests.produce(TOPIC, 0, MemoryRecords.readableRecords(batch)),
                ++correlationId);
        ProduceResponseData.PartitionProduceResponse result = FuzzRequests.result(response);
        Errors error = Errors.forCode(result.errorCode());

        if (error == Errors.NONE) {
            checkReadable(result.baseOffset());
        } else {
            assertThat(REFUSALS).as("error code refusing the batch (%s)", result.errorMessage()).contains(error);
            assertThat(logEndOffset()).as("log end offset after %s", error).isEqualTo(logEndBefore);
        }
        assertThat(broker.drainUnexpected()).as("problems the broker logged").isEmpty();
    }

    /** The input with the batch length, magic 2 and CRC-32C of a well-formed v2 batch. */
    private static ByteBuffer withValidFraming(byte[] input) {
        ByteBuffer batch = ByteBuffer.wrap(input.clone());
        batch.putInt(Records.SIZE_OFFSET, input.length - Records.LOG_OVERHEAD);
        batch.put(Records.MAGIC_OFFSET, RecordBatch.MAGIC_VALUE_V2);
        int crcStart = 21; // attributes: the CRC covers the batch from there to its end
        long crc = Crc32C.compute(batch, crcStart, input.length - crcStart);
        batch.putInt(17, (int) crc);
        return batch;
    }

    /** A consumer fetching from the acknowledged offset can read the batch that holds it. */
    private static void checkReadable(long acknowledgedOffset) throws IOException {
        FetchResponse fetched = client.call(FuzzRequests.fetch(TOPIC, 0, acknowledgedOffset, FETCH_MAX_BYTES),
                ++correlationId);
        FetchResponseData.PartitionData partition = fetched.data().responses().get(0).partitions().get(0);
        assertThat(Errors.forCode(partition.errorCode())).as("Fetch error at acknowledged offset %d", acknowledgedOffset)
                .isEqualTo(Errors.NONE);
        Records records = FetchResponse.recordsOrFail(partition);
        RecordBatch holding = null;
        for (RecordBatch batch : records.batches()) {
            if (batch.lastOffset() >= acknowledgedOffset) {
                holding = batch;
                break;
            }
        }
        assertThat(holding).as("batch holding acknowledged offset %d", acknowledgedOffset).isNotNull();
        assertThat(holding.baseOffset()).as("base offset of the fetched batch").isLessThanOrEqualTo(acknowledgedOffset);
        holding.ensureValid();
        assertThat(holding.isControlBatch()).as("acknowledged batch is a control batch").isFalse();
        int read = 0;
        long previous = holding.baseOffset() - 1;
        try (CloseableIterator<Record> iterator = holding.streamingIterator(BufferSupplier.create())) {
            while (iterator.hasNext()) {
                Record record = iterator.next();
                record.ensureValid();
                assertThat(record.offset()).as("offset of record %d", read).isGreaterThan(previous)
                        .isLessThanOrEqualTo(holding.lastOffset());
                previous = record.offset();
                read++;
            }
        }
        Integer declared = holding.countOrNull();
        if (declared != null) {
            assertThat(read).as("records read from the acknowledged batch").isEqualTo(declared);
        }
    }

    private static long logEndOffset() throws IOException {
        ListOffsetsResponse response = client.call(ListOffsetsRequest.Builder.forConsumer(false,
                org.apache.kafka.common.IsolationLevel.READ_UNCOMMITTED).setTargetTimes(List.of(
                new ListOffsetsRequestData.ListOffsetsTopic().setName(TOPIC).setPartitions(List.of(
                        new ListOffsetsRequestData.ListOffsetsPartition().setPartitionIndex(0)
                                .setTimestamp(ListOffsetsRequest.LATEST_TIMESTAMP))))).build((short) 7), ++correlationId);
        return response.data().topics().get(0).partitions().get(0).offset();
    }
}
