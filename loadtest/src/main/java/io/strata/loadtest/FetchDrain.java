package io.strata.loadtest;

import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Locale;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.record.RecordBatch;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.ResponseHeader;

/**
 * Reads one partition from an offset to an end offset with plain Fetch requests, one at a time, and
 * throws the records away after reading only their batch headers: a consumer that costs almost no
 * CPU. catchup.sh uses it to measure what the broker serves from the bucket when the client runs
 * elsewhere (on this 2-core machine a KafkaConsumer, which checks and copies every record, needs as
 * much CPU as the broker and the S3 server together). One line at the end:
 * {@code bytes=B batches=N seconds=S MiB/s=M cpu-s=C}, B being the bytes of the whole record batches
 * received (segment bytes).
 *
 * <pre>
 * java -cp ... io.strata.loadtest.FetchDrain --bootstrap-server 127.0.0.1:9092 --topic t \
 *     --end-offset N [--partition 0] [--start-offset 0] [--max-partition-fetch-bytes 1048576]
 * </pre>
 */
public final class FetchDrain {

    /** Fetch v12: the last version that names topics (v13 wants topic ids from Metadata). */
    private static final short FETCH_VERSION = 12;
    private static final int MAX_RESPONSE_BYTES = 64 * 1024 * 1024;

    private FetchDrain() {
    }

    public static void main(String[] args) throws IOException {
        Arguments arguments = Arguments.parse(args);
        String[] hostPort = arguments.required("bootstrap-server").split(":");
        String topic = arguments.required("topic");
        int partition = Integer.parseInt(arguments.optional("partition", "0"));
        long offset = Long.parseLong(arguments.optional("start-offset", "0"));
        long endOffset = Long.parseLong(arguments.required("end-offset"));
        int partitionMaxBytes = Integer.parseInt(arguments.optional("max-partition-fetch-bytes", "1048576"));

        ByteBuffer response = ByteBuffer.allocateDirect(MAX_RESPONSE_BYTES);
        long bytes = 0;
        long batches = 0;
        int correlationId = 0;
        long start = System.nanoTime();
        double cpuStart = ProcessCpu.ownSeconds();
        try (SocketChannel channel = SocketChannel.open(
                new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1])))) {
            while (offset < endOffset) {
                send(channel, fetch(topic, partition, offset, partitionMaxBytes), ++correlationId);
                FetchResponseData.PartitionData data = receive(channel, response);
                if (data.errorCode() != Errors.NONE.code()) {
                    throw new IllegalStateException("Fetch at offset " + offset + ": " + Errors.forCode(data.errorCode()));
                }
                MemoryRecords records = (MemoryRecords) data.records();
                for (RecordBatch batch : records.batches()) { // whole batches only: the last may be cut short
                    offset = batch.nextOffset();
                    batches++;
                    bytes += batch.sizeInBytes();
                }
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "bytes=%d batches=%d seconds=%.3f MiB/s=%.1f cpu-s=%.2f%n",
            bytes, batches, seconds, bytes / 1048576.0 / seconds, ProcessCpu.ownSeconds() - cpuStart);
    }

    private static FetchRequestData fetch(String topic, int partition, long offset, int partitionMaxBytes) {
        return new FetchRequestData()
            .setReplicaId(-1)
            .setMaxWaitMs(500)
            .setMinBytes(1)
            .setMaxBytes(MAX_RESPONSE_BYTES / 2)
            .setTopics(List.of(new FetchRequestData.FetchTopic()
                .setTopic(topic)
                .setPartitions(List.of(new FetchRequestData.FetchPartition()
                    .setPartition(partition)
                    .setFetchOffset(offset)
                    .setPartitionMaxBytes(partitionMaxBytes)))));
    }

    private static void send(SocketChannel channel, FetchRequestData data, int correlationId) throws IOException {
        RequestHeader header = new RequestHeader(ApiKeys.FETCH, FETCH_VERSION, "fetch-drain", correlationId);
        ByteBuffer body = new FetchRequest(data, FETCH_VERSION).serializeWithHeader(header);
        ByteBuffer size = ByteBuffer.allocate(4).putInt(0, body.remaining());
        ByteBuffer[] frame = {size, body};
        while (body.hasRemaining()) {
            channel.write(frame);
        }
    }

    /** Reads one response frame into {@code buffer} and returns its only partition. */
    private static FetchResponseData.PartitionData receive(SocketChannel channel, ByteBuffer buffer) throws IOException {
        buffer.clear().limit(4);
        readFully(channel, buffer);
        int size = buffer.getInt(0);
        if (size < 0 || size > buffer.capacity()) {
            throw new IllegalStateException("response of " + size + " bytes");
        }
        buffer.clear().limit(size);
        readFully(channel, buffer);
        buffer.flip();
        ResponseHeader.parse(buffer, ApiKeys.FETCH.responseHeaderVersion(FETCH_VERSION));
        FetchResponseData data = FetchResponse.parse(new ByteBufferAccessor(buffer), FETCH_VERSION).data();
        return data.responses().get(0).partitions().get(0);
    }

    private static void readFully(SocketChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                throw new EOFException("the broker closed the connection");
            }
        }
    }
}
