package io.strata.tiering.log;

import io.strata.index.PartitionKey;
import io.strata.index.RemoteSegment;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.record.MemoryRecords;

/**
 * How a {@link PartitionLog} reads the part of itself that lives only in the bucket. Implemented by
 * the remote tier ({@code io.strata.tiering.remote.RemoteLogReader}); futures never block the caller.
 */
public interface RemoteReads {

    /** Batches of {@code segment} from the one holding {@code fetchOffset}, within {@code maxBytes} (see {@link PartitionLog#read}). */
    CompletableFuture<MemoryRecords> read(TopicPartition tp, PartitionKey key, RemoteSegment segment, long fetchOffset,
                                          int maxBytes, boolean minOneMessage);

}
