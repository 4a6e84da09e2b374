package io.strata.broker.it;

import java.util.List;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData.PartitionProduceResponse;
import org.apache.kafka.common.record.MemoryRecords;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;

/**
 * Requests the Java clients cannot be made to send as the tests need them (a chosen sequence number, a
 * partition the client does not know, exact byte limits), built from kafka-clients' message classes with
 * topic names (Produce v12, Fetch v12, Metadata v12), for {@link io.strata.broker.network.RawKafkaClient}.
 */
final class RawRequests {

    /** One partition to fetch. */
    record FetchTarget(String topic, int partition, long offset, int partitionMaxBytes) {
    }

    private RawRequests() {
    }

    static ProduceRequest produce(String topic, int partition, MemoryRecords records) {
        ProduceRequestData data = new ProduceRequestData().setAcks((short) -1).setTimeoutMs(10_000);
        data.topicData().add(new ProduceRequestData.TopicProduceData().setName(topic)
                .setPartitionData(List.of(new ProduceRequestData.PartitionProduceData()
                        .setIndex(partition).setRecords(records))));
        return new ProduceRequest(data, (short) 12);
    }

    /** The only partition's result in a response to {@link #produce}. */
    static PartitionProduceResponse result(ProduceResponse response) {
        return response.data().responses().iterator().next().partitionResponses().get(0);
    }

    static FetchRequest fetch(int maxBytes, int minBytes, int maxWaitMs, List<FetchTarget> targets) {
        FetchRequestData data = new FetchRequestData()
                .setReplicaId(-1)
                .setMaxWaitMs(maxWaitMs)
                .setMinBytes(minBytes)
                .setMaxBytes(maxBytes)
                .setIsolationLevel((byte) 0)
                .setSessionId(0)
                .setSessionEpoch(-1);
        for (FetchTarget target : targets) {
            FetchRequestData.FetchTopic topic = data.topics().stream()
                    .filter(t -> t.topic().equals(target.topic())).findFirst()
                    .orElseGet(() -> {
                        FetchRequestData.FetchTopic added = new FetchRequestData.FetchTopic().setTopic(target.topic());
                        data.topics().add(added);
                        return added;
                    });
            topic.partitions().add(new FetchRequestData.FetchPartition()
                    .setPartition(target.partition())
                    .setFetchOffset(target.offset())
                    .setPartitionMaxBytes(target.partitionMaxBytes()));
        }
        return new FetchRequest(data, (short) 12);
    }

    /** Every partition of a response to {@link #fetch}, in response order. */
    static List<FetchResponseData.PartitionData> partitions(FetchResponse response) {
        return response.data().responses().stream().flatMap(t -> t.partitions().stream()).toList();
    }

    static MetadataRequest metadata(String topic, boolean allowAutoTopicCreation) {
        return new MetadataRequest(new MetadataRequestData()
                .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(topic)))
                .setAllowAutoTopicCreation(allowAutoTopicCreation), (short) 12);
    }

    static InitProducerIdRequest initProducerId() {
        return new InitProducerIdRequest.Builder(new InitProducerIdRequestData()
                .setTransactionalId(null)
                .setTransactionTimeoutMs(Integer.MAX_VALUE)
                .setProducerId(-1)
                .setProducerEpoch((short) -1)).build((short) 4);
    }
}
