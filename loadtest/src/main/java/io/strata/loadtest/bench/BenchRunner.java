package io.strata.loadtest.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Runs the selected scenarios against every target, one target after the other: first an unmeasured
 * warm-up per target (three runs on topics of their own), then {@code rounds} rounds, each running all
 * scenarios on one target and then on the next, the first target alternating from round to round so that
 * neither always goes first. catchup-cold, which restarts the broker, has its rounds after all rounds of
 * the other scenarios, so that none of them runs on a JVM the restart left cold. Every run gets
 * a fresh topic, deleted after it. A failed run is recorded as such and the benchmark goes on.
 */
final class BenchRunner {

    /** Warm-up runs per system, each on a new topic with a new producer (see {@link #warmUp}). */
    static final int WARMUP_PASSES = 3;

    private final List<Target> targets;
    private final List<Scenario> scenarios;
    private final Workload workload;
    private final int rounds;
    private final Progress progress;
    private final RssSampler rss;

    BenchRunner(List<Target> targets, List<Scenario> scenarios, Workload workload, int rounds, Progress progress,
                RssSampler rss) {
        this.targets = List.copyOf(targets);
        this.scenarios = scenarios.stream().sorted().toList();
        this.workload = workload;
        this.rounds = rounds;
        this.progress = progress;
        this.rss = rss;
    }

    List<RunOutcome> run() throws InterruptedException {
        for (Target target : targets) {
            warmUp(target);
        }
        // catchup-cold restarts the broker: run before the others' rounds, it would leave them a cold JVM
        List<Scenario> inPlace = scenarios.stream().filter(scenario -> scenario != Scenario.CATCHUP_COLD).toList();
        List<Scenario> restarting = scenarios.stream().filter(scenario -> scenario == Scenario.CATCHUP_COLD).toList();
        List<RunOutcome> outcomes = new ArrayList<>();
        for (List<Scenario> group : List.of(inPlace, restarting)) {
            for (int round = 1; round <= rounds && !group.isEmpty(); round++) {
                List<Target> order = new ArrayList<>(targets);
                if (round % 2 == 0) {
                    Collections.reverse(order);
                }
                for (Target target : order) {
                    outcomes.addAll(new TargetRound(target, round, group).run());
                }
            }
        }
        return outcomes;
    }

    /**
     * The unmeasured warm-up: {@link #WARMUP_PASSES} passes, each producing and consuming a share of
     * {@code --warmup-records} on a topic of its own with a producer of its own, as the measured runs do. One
     * pass is not enough: the first run after it met a new topic and a new producer id, paths the JIT had
     * compiled out as never taken, and the broker threw away its compiled produce path and compiled it again
     * during that run (2.5 CPU seconds of C2 in a 5 s run of Strata). The middle pass produces with acks=1,
     * which the Java client sends without idempotence (no producer id): a broker warmed up by idempotent
     * producers alone deoptimized again in the first produce-acks-1 run.
     */
    private void warmUp(Target target) throws InterruptedException {
        long perPass = workload.warmupRecords() / WARMUP_PASSES;
        for (int pass = 1; pass <= WARMUP_PASSES && perPass > 0; pass++) {
            warmUpPass(target, pass, perPass);
        }
    }

    private void warmUpPass(Target target, int pass, long records) throws InterruptedException {
        String topic = topicName("warmup", 0);
        String label = String.format(Locale.ROOT, "%s warm-up %d/%d", target.name(), pass, WARMUP_PASSES);
        try {
            Topics.create(target, topic, workload.partitions());
            try (Progress.Task task = progress.start(label + " produce", records, workload.recordSize())) {
                String acks = pass == 2 ? "1" : "all";
                ProducerDriver.run(ProducerDriver.producerProperties(target.bootstrap(), acks, workload), topic,
                    records, workload.recordSize(), 0, null, task.done());
            }
            try (Progress.Task task = progress.start(label + " consume", records, workload.recordSize())) {
                ConsumerDriver.run(target.bootstrap(), topic, records, false, Map.of(), task.done());
            }
            // before the topic goes, while its copy lag is still on /metrics: its uploads must not run into round 1
            drainUploads(target, label);
        } catch (InterruptedException e) {
            throw e;
        } catch (Exception e) {
            progress.say("WARNING: " + label + " failed: " + e);
        } finally {
            Topics.deleteQuietly(target.bootstrap(), topic, progress);
        }
    }

    /** Waits for a started Strata's upload backlog to drain, so that this run does not pay for the last one's. */
    private void drainUploads(Target target, String label) throws InterruptedException {
        for (StartedBroker strata : target.brokers()) {
            if (strata.kind() == StartedBroker.Kind.STRATA) {
                drainUploads(strata, label);
            }
        }
    }

    private void drainUploads(StartedBroker strata, String label) throws InterruptedException {
        UploadBacklog backlog = new UploadBacklog(strata.httpPort());
        OptionalLong before = backlog.bytes();
        if (before.isPresent() && before.getAsLong() > 0) {
            progress.say(String.format(Locale.ROOT, "%s: waiting for %.0f MiB of sealed segments to reach the"
                + " bucket", label, before.getAsLong() / 1048576.0));
            OptionalLong after = backlog.awaitDrained(Duration.ofMinutes(5));
            if (after.isPresent() && after.getAsLong() > 0) {
                progress.say(label + ": WARNING: uploads still pending after 5 minutes; measuring anyway");
            }
        }
    }

    /** One round on one target; consume-hot reads the topic produce-acks-all wrote in the same round. */
    private final class TargetRound {
        private final Target target;
        private final int round;
        private final List<Scenario> scenarios;
        private Optional<String> hotTopic = Optional.empty();
        /** A Strata cluster's WAL counters over this round's produce-latency run, and its seconds, for wal-path. */
        private Optional<WalCounters> fixedRateWal = Optional.empty();
        private double fixedRateSeconds;

        TargetRound(Target target, int round, List<Scenario> scenarios) {
            this.target = target;
            this.round = round;
            this.scenarios = scenarios;
        }

        List<RunOutcome> run() throws InterruptedException {
            List<RunOutcome> outcomes = new ArrayList<>();
            try {
                for (Scenario scenario : scenarios) {
                    outcomes.add(runOne(scenario));
                }
            } finally {
                hotTopic.ifPresent(topic -> Topics.deleteQuietly(target.bootstrap(), topic, progress));
            }
            return outcomes;
        }

        private RunOutcome runOne(Scenario scenario) throws InterruptedException {
            String label = String.format("[%s] %s round %d/%d", scenario.id(), target.name(), round, rounds);
            Optional<String> notApplicable = notApplicable(scenario);
            if (notApplicable.isPresent()) {
                progress.say(label + ": n/a, " + notApplicable.get());
                return RunOutcome.notApplicable(scenario, target.name(), round, notApplicable.get());
            }
            try {
                settle();
                drainUploads(target, label);
                RunOutcome outcome = RunOutcome.measured(scenario, target.name(), round, measure(scenario, label));
                progress.say(label + ": " + describe(outcome.figures()));
                return outcome;
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                progress.say(label + ": FAILED " + e);
                return RunOutcome.failed(scenario, target.name(), round, e.toString());
            }
        }

        private Optional<String> notApplicable(Scenario scenario) {
            if (target.name().equals(Systems.STRATA_CLUSTER_SLOW_S3) && !Systems.SLOW_S3_SCENARIOS.contains(scenario)) {
                return Optional.of("the cluster behind the slow object store is measured for latency only");
            }
            if (scenario == Scenario.WAL_PATH) {
                return target.walStores().isPresent() ? Optional.empty() : Optional.of("no write-ahead log to probe:"
                    + " wal-path is for the Strata clusters the tool starts");
            }
            if (scenario != Scenario.CATCHUP_COLD) {
                return Optional.empty();
            }
            if (target.isCluster()) {
                return Optional.of("catchup-cold restarts one broker and reads its log: not for a cluster");
            }
            if (target.started().isEmpty()) {
                return Optional.of("needs a Strata broker started by the tool (--start strata), which it restarts for"
                    + " a cold cache and whose log tells when the segments are in the bucket");
            }
            if (target.started().get().kind() == StartedBroker.Kind.KAFKA) {
                return Optional.of("Apache Kafka runs without tiered storage here: no bucket to catch up from");
            }
            return Optional.empty();
        }

        private Map<Metric, Double> measure(Scenario scenario, String label) throws Exception {
            String bootstrap = target.bootstrap();
            String topic = topicName(scenario.id(), round);
            if (scenario == Scenario.CATCHUP_COLD) {
                return new ColdCatchup(target.started().orElseThrow(), workload, progress, rss::sample)
                    .run(label, topic);
            }
            if (scenario == Scenario.WAL_PATH) {
                WalCounters counters = fixedRateWal.orElseThrow(() -> new IllegalStateException(
                    "produce-latency did not measure in this round, so the WAL object size is unknown"));
                return WalPathRun.run(target, counters, fixedRateSeconds, workload.partitions(),
                    target.brokers().get(0).process().logFile().getParent().getParent(), progress, label);
            }
            if (scenario == Scenario.CONSUME_HOT) {
                String source = hotTopic.orElse(null);
                if (source == null) {
                    source = topic;
                    Topics.create(target, source, workload.partitions());
                    hotTopic = Optional.of(source);
                    produce(label + " (preparing, not measured)", source, "all", workload.records(), 0);
                }
                try (Progress.Task task = progress.start(label, workload.records(), workload.recordSize())) {
                    RunCpu cpu = RunCpu.start(target);
                    Map<Metric, Double> figures = new EnumMap<>(Metric.class);
                    ConsumerDriver.Result result = ConsumerDriver.run(bootstrap, source, workload.records(),
                        workload.groupConsumer(), Map.of(), task.done());
                    progress.say("  " + target.name() + " consumer: " + result.describeClient());
                    figures.putAll(result.figures());
                    cpu.addTo(figures, workload.records() * workload.recordSize());
                    return figures;
                }
            }
            Topics.create(target, topic, workload.partitions());
            boolean keep = false;
            try {
                switch (scenario) {
                    case PRODUCE_ACKS_ALL -> {
                        keep = scenarios.contains(Scenario.CONSUME_HOT);
                        if (keep) {
                            hotTopic = Optional.of(topic);
                        }
                        return produce(label, topic, "all", workload.records(), 0);
                    }
                    case PRODUCE_ACKS_1 -> {
                        return produce(label, topic, "1", workload.records(), 0);
                    }
                    case PRODUCE_LATENCY -> {
                        return produceAtFixedRate(label, topic);
                    }
                    case E2E_LATENCY -> {
                        try (Progress.Task task = progress.start(label, workload.latencyRecords(), workload.recordSize())) {
                            return EndToEndDriver.run(bootstrap, topic,
                                ProducerDriver.producerProperties(bootstrap, "all", workload), workload.latencyRecords(),
                                workload.recordSize(), workload.rate(), task);
                        }
                    }
                    default -> throw new IllegalStateException("not a topic-per-run scenario: " + scenario);
                }
            } finally {
                if (!keep) {
                    Topics.deleteQuietly(bootstrap, topic, progress);
                }
            }
        }

        /** produce-latency; on a Strata cluster also the WAL counters of its brokers over the run, for wal-path. */
        private Map<Metric, Double> produceAtFixedRate(String label, String topic) throws Exception {
            if (target.walStores().isEmpty()) {
                return produce(label, topic, "all", workload.latencyRecords(), workload.rate());
            }
            List<Integer> ports = target.brokers().stream().map(StartedBroker::httpPort).toList();
            WalCounters before = WalCounters.read(ports);
            Map<Metric, Double> figures = produce(label, topic, "all", workload.latencyRecords(), workload.rate());
            // the records went out over this long; before and after, no append, so no WAL object
            fixedRateSeconds = (double) workload.latencyRecords() / workload.rate();
            WalCounters run = WalCounters.read(ports).since(before);
            fixedRateWal = Optional.of(run);
            progress.say(String.format(Locale.ROOT, "  %s WAL: %.0f objects of %.1f KiB on average, commit p50 %s ms,"
                + " p99 %s ms", target.name(), run.puts(), run.meanObjectBytes().orElse(0) / 1024,
                format(run.commitQuantileMs(0.5)), format(run.commitQuantileMs(0.99))));
            return figures;
        }

        private Map<Metric, Double> produce(String label, String topic, String acks, long records, int rate)
            throws Exception {
            try (Progress.Task task = progress.start(label, records, workload.recordSize())) {
                RunCpu cpu = RunCpu.start(target);
                double storeStart = target.walStores().map(WalStores::storeCpuSeconds).orElse(0.0);
                ProducerDriver.Result result = ProducerDriver.run(
                    ProducerDriver.producerProperties(target.bootstrap(), acks, workload), topic, records,
                    workload.recordSize(), rate, null, task.done());
                progress.say("  " + target.name() + " producer: " + result.describeClient());
                Map<Metric, Double> figures = new EnumMap<>(Metric.class);
                figures.putAll(result.figures());
                if (rate <= 0) { // unthrottled: the CPU per GiB of a fixed-rate run is mostly idle polling
                    cpu.addTo(figures, result.acknowledged() * workload.recordSize());
                    double gib = result.acknowledged() * workload.recordSize() / (1024.0 * 1024 * 1024);
                    target.walStores().filter(stores -> gib > 0).ifPresent(stores -> progress.say(String.format(
                        Locale.ROOT, "  %s S3 server and PostgreSQL: %.2f CPU s/GiB (not in broker CPU)", target.name(),
                        (stores.storeCpuSeconds() - storeStart) / gib)));
                }
                return figures;
            }
        }
    }

    private static String format(java.util.OptionalDouble value) {
        return value.isPresent() ? String.format(Locale.ROOT, "%.2f", value.getAsDouble()) : "?";
    }

    private static String describe(Map<Metric, Double> figures) {
        return figures.entrySet().stream().map(figure -> ResultTable.number(figure.getKey(), figure.getValue()) + " "
            + figure.getKey().label()).collect(Collectors.joining(", "));
    }

    private static String topicName(String what, int round) {
        return "bench-" + what + "-r" + round + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    /**
     * Writes back dirty pages ({@code sync}) before each measured run, so that no run pays for the writeback
     * of what the run before it wrote. Best effort: where {@code sync} is missing nothing happens.
     */
    private static void settle() throws InterruptedException {
        try {
            Process sync = new ProcessBuilder("sync").redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!sync.waitFor(60, TimeUnit.SECONDS)) {
                sync.destroyForcibly();
            }
        } catch (IOException e) {
            // no sync on this system: nothing to settle
        }
    }
}
