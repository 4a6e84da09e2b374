package io.strata.broker.fuzz;

import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/** The well-formed requests the fuzz targets send around the fuzzed ones, by topic name. */
final class FuzzRequests {

    private FuzzRequests() {
    }

    /** Produce v9, acks=all, {@code records} to one partition. */
    static ProduceRequest produce(String topic, int partition, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000)
                .setTopicData(new ProduceRequestData.TopicProduceDataCollection(List.of(
                        new ProduceRequestData.TopicProduceData().setName(topic).setPartitionData(List.of(
                                new ProduceRequestData.PartitionProduceData().setIndex(partition)
                                        .setRecords(records)))).iterator()));
        return new ProduceRequest(data, (short) 9);
    }

    /** The only partition's result in a response to {@link #produce}. */
    static ProduceResponseData.PartitionProduceResponse result(ProduceResponse response) {
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    /** Fetch v12 (by topic name) of one partition from {@code offset}, without waiting. */
    static FetchRequest fetch(String topic, int partition, long offset, int maxBytes) {
        FetchRequestData data = new FetchRequestData().setReplicaId(-1).setMaxWaitMs(0).setMinBytes(0)
                .setMaxBytes(maxBytes).setIsolationLevel((byte) 0).setSessionId(0).setSessionEpoch(-1)
                .setTopics(List.of(new FetchRequestData.FetchTopic().setTopic(topic).setPartitions(List.of(
                        new FetchRequestData.FetchPartition().setPartition(partition).setFetchOffset(offset)
                                .setPartitionMaxBytes(maxBytes)))));
        return new FetchRequest(data, (short) 12);
    }
}
