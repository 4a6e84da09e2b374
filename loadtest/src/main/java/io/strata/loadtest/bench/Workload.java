package io.strata.loadtest.bench;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The sizes and settings every scenario shares. Defaults follow issue 5 (1 KiB records, 3 partitions,
 * acks=all, linger.ms 5, batch.size 64 KiB, 5,000 records/s for the fixed-rate runs), with small counts.
 *
 * @param records            records of each unthrottled produce run (consume-hot reads those of produce-acks-all)
 * @param recordSize         bytes of each record value
 * @param partitions         partitions of each topic
 * @param rate               records/s of produce-latency and e2e-latency
 * @param latencyRecords     records of produce-latency and e2e-latency
 * @param warmupRecords      records produced and consumed once per system before round 1, not measured
 * @param lingerMs           the producer's linger.ms
 * @param batchSize          the producer's batch.size
 * @param groupConsumer      consume-hot subscribes with a consumer group instead of assigning the partitions
 * @param catchupMiB         MiB produced for catchup-cold (and read back from the bucket)
 * @param catchupSegmentBytes segment.bytes of catchup-cold's topics
 * @param catchupWarmupMiB   MiB tiered to a second topic and read by the restarted broker first (warm JVM,
 *                           cold cache), not measured; 0: none
 */
record Workload(long records, int recordSize, int partitions, int rate, long latencyRecords, long warmupRecords,
                int lingerMs, int batchSize, boolean groupConsumer, long catchupMiB, long catchupSegmentBytes,
                long catchupWarmupMiB) {

    Map<String, Object> describe() {
        Map<String, Object> workload = new LinkedHashMap<>();
        workload.put("records", records);
        workload.put("recordSize", recordSize);
        workload.put("partitions", partitions);
        workload.put("producer", "linger.ms=" + lingerMs + " batch.size=" + batchSize + " (acks per scenario)");
        workload.put("fixedRate", rate);
        workload.put("latencyRecords", latencyRecords);
        workload.put("warmupRecords", warmupRecords);
        workload.put("consumer", groupConsumer ? "group (subscribe)" : "assign");
        workload.put("catchupMiB", catchupMiB);
        workload.put("catchupSegmentBytes", catchupSegmentBytes);
        workload.put("catchupWarmupMiB", catchupWarmupMiB);
        return workload;
    }
}
