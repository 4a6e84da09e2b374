package io.strata.loadtest.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeoutException;

/**
 * The catchup-cold scenario on a Strata broker the tool started, as catchup.sh does it: produce to a topic
 * with small segments and {@code local.retention.bytes=1}, wait until every sealed segment is in the bucket
 * and gone from the local disk (one {@code .log} file, the active segment, left per partition), restart
 * the broker (its chunk cache lives in memory, so it starts empty), read a second tiered topic first so
 * that the JIT has compiled the remote read path (warm JVM, cold cache), then read every tiered record of
 * the measured topic from offset 0 with one assigned consumer.
 */
final class ColdCatchup {

    private final StartedBroker broker;
    private final Workload workload;
    private final Progress progress;
    private final Runnable beforeRestart;

    /** @param beforeRestart runs just before the broker is stopped (the RSS sampler takes its last sample) */
    ColdCatchup(StartedBroker broker, Workload workload, Progress progress, Runnable beforeRestart) {
        this.broker = broker;
        this.workload = workload;
        this.progress = progress;
        this.beforeRestart = beforeRestart;
    }

    Map<Metric, Double> run(String label, String topic) throws Exception {
        String warmupTopic = topic + "-warmup";
        String bootstrap = broker.process().bootstrap();
        try {
            produceTiered(label, topic, workload.catchupMiB());
            if (workload.catchupWarmupMiB() > 0) {
                produceTiered(label + " warm-up topic", warmupTopic, workload.catchupWarmupMiB());
            }
            TieredSegments tiered = awaitTiering(topic, workload.catchupMiB());
            TieredSegments warmup = workload.catchupWarmupMiB() > 0
                ? awaitTiering(warmupTopic, workload.catchupWarmupMiB()) : null;
            progress.say(label + ": " + tiered.segments() + " segments (" + tiered.bytes() + " bytes, "
                + tiered.records() + " records) only in the bucket; restarting the broker for a cold cache");
            beforeRestart.run();
            broker.process().restart();
            if (warmup != null) {
                try (Progress.Task task = progress.start(label + " warm-up read from the bucket", warmup.records(),
                    workload.recordSize())) {
                    ConsumerDriver.run(bootstrap, warmupTopic, warmup.records(), false, warmup.endOffsets(), task.done());
                }
            }
            try (Progress.Task task = progress.start(label + " read from the bucket", tiered.records(),
                workload.recordSize())) {
                ConsumerDriver.Result result = ConsumerDriver.run(bootstrap, topic, tiered.records(), false,
                    tiered.endOffsets(), task.done());
                progress.say("  consumer: " + result.describeClient());
                return result.figures();
            }
        } finally {
            Topics.deleteQuietly(bootstrap, topic, progress);
            if (workload.catchupWarmupMiB() > 0) {
                Topics.deleteQuietly(bootstrap, warmupTopic, progress);
            }
        }
    }

    private void produceTiered(String label, String topic, long mib) throws Exception {
        String bootstrap = broker.process().bootstrap();
        Topics.create(bootstrap, topic, workload.partitions(), Map.of(
            "segment.bytes", Long.toString(workload.catchupSegmentBytes()), "local.retention.bytes", "1"));
        long records = mib * 1024 * 1024 / workload.recordSize();
        try (Progress.Task task = progress.start(label + " produce " + mib + " MiB", records, workload.recordSize())) {
            ProducerDriver.run(ProducerDriver.producerProperties(bootstrap, "all", workload), topic, records,
                workload.recordSize(), 0, null, task.done());
        }
    }

    private TieredSegments awaitTiering(String topic, long mib) throws IOException, InterruptedException, TimeoutException {
        long deadline = System.nanoTime() + Duration.ofSeconds(300 + mib / 4).toNanos();
        while (true) {
            TieredSegments tiered = TieredSegments.read(broker.process().logFile(), topic, workload.partitions());
            long localFiles = TieredSegments.localSegmentFiles(broker.dataDir(), topic);
            if (tiered.segments() > 0 && localFiles <= workload.partitions()) {
                return tiered;
            }
            if (broker.process().pid().isEmpty()) {
                throw new IOException("the broker exited; its log: " + broker.process().logFile());
            }
            if (System.nanoTime() > deadline) {
                throw new TimeoutException("tiering of " + topic + " did not finish in time: " + localFiles
                    + " local .log files, " + tiered.segments() + " segments copied; see " + broker.process().logFile());
            }
            Thread.sleep(500); // the broker's log and data directory have nothing to wait on
        }
    }
}
