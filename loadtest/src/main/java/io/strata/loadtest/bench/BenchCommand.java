package io.strata.loadtest.bench;

import org.apache.kafka.common.utils.AppInfoParser;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code bench} command: starts the brokers of {@code --start} (or takes the bootstraps of
 * {@code --bootstrap}/{@code --target}), runs the scenarios against each, prints the table and writes
 * {@code results.json}, {@code results.md} and {@code chart.png} to {@code --out}. Exit status 0 when
 * every run measured or was not applicable, 1 when a run failed, 2 for bad options.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Runs named scenarios against Kafka-compatible brokers and reports medians, ratios, a JSON file"
        + " and a PNG chart.")
final class BenchCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--start", split = ",", paramLabel = "SYSTEM",
        description = "Start these brokers on free 127.0.0.1 ports, in temporary directories, and benchmark them"
            + " one after the other (Apache Kafka 4.1 in KRaft mode from the Maven jars; Strata from its jar):"
            + " strata, kafka (one broker each), strata-cluster, kafka-cluster (--cluster-size brokers each; Strata in"
            + " cluster mode with its write-ahead log, a PostgreSQL and an S3 server the tool starts; Kafka with"
            + " replication factor 3 and min.insync.replicas=2), strata-cluster-slow-s3 (a Strata cluster whose S3"
            + " server answers through a proxy that delays each response's first byte, --slow-s3-first-byte-ms).")
    List<String> start = new ArrayList<>();

    @Option(names = "--cluster-size", defaultValue = "3",
        description = "Brokers of strata-cluster and kafka-cluster (default ${DEFAULT-VALUE}).")
    int clusterSize;

    @Option(names = "--slow-s3-first-byte-ms", defaultValue = "20-50", paramLabel = "MIN-MAX",
        description = "Time to first byte of each S3 response for strata-cluster-slow-s3, drawn uniformly between"
            + " MIN and MAX milliseconds (default ${DEFAULT-VALUE}).")
    String slowS3FirstByteMs;

    @Option(names = "--target", paramLabel = "NAME=HOST:PORT",
        description = "An already running broker, named (repeatable). Name them strata and kafka to get ratios.")
    List<String> namedTargets = new ArrayList<>();

    @Option(names = "--bootstrap", paramLabel = "HOST:PORT",
        description = "An already running broker, named by its address (repeatable).")
    List<String> bootstraps = new ArrayList<>();

    @Option(names = "--scenarios", split = ",", paramLabel = "NAME",
        description = "Scenarios to run (default: all): ${COMPLETION-CANDIDATES}.",
        converter = ScenarioConverter.class, completionCandidates = ScenarioIds.class)
    List<Scenario> scenarios = new ArrayList<>(List.of(Scenario.values()));

    @Option(names = "--records", defaultValue = "100000", description = "Records per throughput run (default ${DEFAULT-VALUE}).")
    long records;

    @Option(names = "--record-size", defaultValue = "1024", description = "Bytes per record value (default ${DEFAULT-VALUE}).")
    int recordSize;

    @Option(names = "--partitions", defaultValue = "3", description = "Partitions per topic (default ${DEFAULT-VALUE}).")
    int partitions;

    @Option(names = "--rate", defaultValue = "5000", description = "Records/s of the fixed-rate runs (default ${DEFAULT-VALUE}).")
    int rate;

    @Option(names = "--latency-records", defaultValue = "10000",
        description = "Records of produce-latency and e2e-latency (default ${DEFAULT-VALUE}).")
    long latencyRecords;

    @Option(names = "--rounds", defaultValue = "1",
        description = "Rounds, alternating which system goes first; the report shows medians (default ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--warmup-records", defaultValue = "3000000",
        description = "Records produced and consumed per system before round 1, not measured, in three runs on"
            + " topics of their own, so that the JIT of the broker and of this tool's clients has compiled the hot"
            + " paths; 0: none (default ${DEFAULT-VALUE}).")
    long warmupRecords;

    @Option(names = "--linger-ms", defaultValue = "5", description = "Producer linger.ms (default ${DEFAULT-VALUE}).")
    int lingerMs;

    @Option(names = "--batch-size", defaultValue = "65536", description = "Producer batch.size (default ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--consumer", defaultValue = "assign", paramLabel = "assign|group",
        description = "consume-hot assigns the partitions or subscribes with a consumer group (default ${DEFAULT-VALUE}).")
    String consumer;

    @Option(names = "--catchup-mib", defaultValue = "512",
        description = "MiB tiered to the bucket and read back by catchup-cold (default ${DEFAULT-VALUE}).")
    long catchupMiB;

    @Option(names = "--catchup-segment-bytes", defaultValue = "67108864",
        description = "segment.bytes of catchup-cold's topics (default ${DEFAULT-VALUE}).")
    long catchupSegmentBytes;

    @Option(names = "--catchup-warmup-mib", defaultValue = "256",
        description = "MiB of a second tiered topic the restarted broker reads first (warm JVM, cold cache); 0: none"
            + " (default ${DEFAULT-VALUE}).")
    long catchupWarmupMiB;

    @Option(names = "--out", defaultValue = "bench-results",
        description = "Directory for results.json, results.md and chart.png (default ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--kafka-jvm-opts", defaultValue = BrokerLauncher.KAFKA_JVM_OPTS,
        description = "JVM options of the Apache Kafka broker the tool starts (default: kafka-server-start.sh's,"
            + " ${DEFAULT-VALUE}).")
    String kafkaJvmOpts;

    @Option(names = "--strata-jvm-opts", defaultValue = BrokerLauncher.STRATA_JVM_OPTS,
        description = "JVM options of the Strata broker the tool starts (default: the README's recommended ones,"
            + " ${DEFAULT-VALUE}).")
    String strataJvmOpts;

    @Option(names = "--broker-jvm-opts",
        description = "JVM options of both brokers the tool starts, instead of --kafka-jvm-opts and --strata-jvm-opts.")
    String brokerJvmOpts;

    @Option(names = "--strata-jar", description = "The Strata broker jar (default: broker-vertx/target/strata-broker.jar"
        + " of this checkout).")
    Path strataJar;

    @Option(names = "--work-dir", description = "Where started brokers keep data and logs (default: a new temporary"
        + " directory); data is deleted at the end, logs are kept.")
    Path workDir;

    @Override
    public Integer call() throws Exception {
        Instant started = Instant.now();
        validate();
        Workload workload = new Workload(records, recordSize, partitions, rate, latencyRecords, warmupRecords, lingerMs,
            batchSize, consumer.equals("group"), catchupMiB, catchupSegmentBytes, catchupWarmupMiB);
        Layout layout = strataJar == null ? Layout.ofThisCheckout() : Layout.ofThisCheckout().withStrataJar(strataJar);
        Path work = workDir != null ? Files.createDirectories(workDir) : Files.createTempDirectory("strata-bench");
        List<Target> targets = new ArrayList<>();
        Map<String, List<StartedBroker>> startedBrokers = new LinkedHashMap<>();
        List<RunOutcome> outcomes;
        List<SystemReport> systems = new ArrayList<>();
        ClusterServices services = null;
        try (Progress progress = Progress.forStandardError()) {
            try {
                BrokerLauncher launcher = new BrokerLauncher(layout,
                    brokerJvmOpts != null ? brokerJvmOpts : kafkaJvmOpts, brokerJvmOpts != null ? brokerJvmOpts : strataJvmOpts);
                for (String system : start) {
                    progress.say("starting " + system + " (work directory " + work + ")");
                    Path dir = Files.createDirectories(work.resolve(system));
                    Target target;
                    if (Systems.isStrataCluster(system)) {
                        if (services == null) {
                            services = ClusterServices.start(layout, work,
                                start.contains(Systems.STRATA_CLUSTER_SLOW_S3) ? Optional.of(slowS3FirstByteMs)
                                    : Optional.empty(), progress);
                        }
                        target = services.startStrataCluster(launcher, system, dir, clusterSize);
                    } else if (system.equals(Systems.KAFKA_CLUSTER)) {
                        List<StartedBroker> brokers = launcher.startKafkaCluster(dir, clusterSize);
                        target = Systems.cluster(system, brokers, Optional.empty());
                    } else {
                        StartedBroker broker = system.equals(Summary.KAFKA) ? launcher.startKafka(dir)
                            : launcher.startStrata(dir);
                        target = Target.single(system, broker);
                    }
                    startedBrokers.put(system, target.brokers());
                    targets.add(target);
                    if (target.isCluster()) {
                        Topics.awaitBrokers(target.bootstrap(), target.brokers().size());
                    }
                    for (StartedBroker broker : target.brokers()) {
                        progress.say(system + " (pid " + broker.process().pid().orElse(-1) + ") on "
                            + broker.process().bootstrap() + ", log " + broker.process().logFile());
                    }
                }
                for (String target : namedTargets) {
                    int equals = target.indexOf('=');
                    targets.add(Target.external(target.substring(0, equals), target.substring(equals + 1)));
                }
                bootstraps.forEach(bootstrap -> targets.add(Target.external(bootstrap, bootstrap)));
                try (RssSampler rss = new RssSampler(startedBrokers)) {
                    outcomes = new BenchRunner(targets, scenarios, workload, rounds, progress, rss).run();
                    rss.close();
                    for (Target target : targets) {
                        systems.add(new SystemReport(target.name(), target.bootstrap(), target.kind(),
                            rss.peakMiB(target.name()), rss.peakTreeMiB(target.name())));
                    }
                }
            } finally {
                for (List<StartedBroker> brokers : startedBrokers.values()) {
                    // the last first: Kafka's node 1 is the cluster's controller, which a broker's controlled
                    // shutdown needs (without it, the broker waits a minute for it and is killed)
                    List<StartedBroker> lastFirst = new ArrayList<>(brokers);
                    Collections.reverse(lastFirst);
                    for (StartedBroker broker : lastFirst) {
                        broker.process().stop();
                        Directories.deleteRecursively(broker.dataDir());
                    }
                }
                if (services != null) {
                    services.stop();
                }
                if (!startedBrokers.isEmpty()) {
                    progress.say("brokers stopped; their logs are in " + work);
                }
            }
        }
        List<String> names = targets.stream().map(Target::name).toList();
        Summary summary = Summary.of(names, scenarios.stream().sorted().distinct().toList(), outcomes);
        String table = ResultTable.render(summary, systems);
        System.out.println();
        System.out.print(table);
        RunInfo info = new RunInfo(commandLine(), started, Instant.now(), RunInfo.probeMachine(),
            versions(layout, startedBrokers), workload.describe());
        Files.createDirectories(out);
        ResultsJson.write(ResultsJson.build(info, systems, outcomes, summary), out.resolve("results.json"));
        Files.writeString(out.resolve("results.md"), "# Benchmark results\n\n- Command: `" + info.command() + "`\n- Date: "
            + info.started() + " to " + info.finished() + "\n- Machine: " + info.machine() + "\n\n" + table);
        ResultsChart.write(summary, String.join(" vs ", names), out.resolve("chart.png"));
        System.out.println("\nwrote " + out.resolve("results.json") + ", " + out.resolve("results.md") + " and "
            + out.resolve("chart.png"));
        return outcomes.stream().anyMatch(outcome -> outcome.error().isPresent()) ? 1 : 0;
    }

    /** Refuses options that cannot run, before anything starts; package-private for the tests. */
    void validate() {
        for (String system : start) {
            if (!Systems.STARTABLE.contains(system)) {
                throw new ParameterException(spec.commandLine(),
                    "--start takes " + String.join(", ", Systems.STARTABLE) + ", not " + system);
            }
        }
        if (clusterSize < 1) {
            throw new ParameterException(spec.commandLine(), "--cluster-size is at least 1");
        }
        if (!slowS3FirstByteMs.matches("\\d+(-\\d+)?")) {
            throw new ParameterException(spec.commandLine(), "--slow-s3-first-byte-ms wants MIN-MAX milliseconds, not "
                + slowS3FirstByteMs);
        }
        if (scenarios.contains(Scenario.WAL_PATH) && !scenarios.contains(Scenario.PRODUCE_LATENCY)) {
            throw new ParameterException(spec.commandLine(), "wal-path probes at the WAL object size and rate that"
                + " produce-latency measures: run both");
        }
        for (String target : namedTargets) {
            if (target.indexOf('=') < 1) {
                throw new ParameterException(spec.commandLine(),
                    "--target wants NAME=HOST:PORT, not " + target);
            }
        }
        if (start.isEmpty() && namedTargets.isEmpty() && bootstraps.isEmpty()) {
            throw new ParameterException(spec.commandLine(),
                "name what to benchmark: --start strata,kafka, --target NAME=HOST:PORT or --bootstrap HOST:PORT");
        }
        if (start.contains(Summary.STRATA) && scenarios.contains(Scenario.CATCHUP_COLD)) {
            checkSealsSegments("--catchup-mib", catchupMiB);
            if (catchupWarmupMiB > 0) {
                checkSealsSegments("--catchup-warmup-mib", catchupWarmupMiB);
            }
        }
        if (!consumer.equals("assign") && !consumer.equals("group")) {
            throw new ParameterException(spec.commandLine(), "--consumer is assign or group");
        }
    }

    /** catchup-cold waits until each partition's sealed segments are in the bucket: each needs at least one. */
    private void checkSealsSegments(String option, long mib) {
        if (mib * 1024 * 1024 / partitions <= catchupSegmentBytes) {
            throw new ParameterException(spec.commandLine(), option + " " + mib + " over " + partitions
                + " partitions seals no segment of --catchup-segment-bytes " + catchupSegmentBytes
                + " in some partition: give more MiB or smaller segments");
        }
    }

    private String commandLine() {
        return "java -jar loadtest/target/strata-loadtest.jar " + String.join(" ", spec.commandLine().getParseResult()
            .originalArgs());
    }

    private static Map<String, String> versions(Layout layout, Map<String, List<StartedBroker>> started) {
        Map<String, String> versions = new LinkedHashMap<>();
        versions.put("kafkaClients", AppInfoParser.getVersion());
        List<StartedBroker.Kind> kinds = started.values().stream().flatMap(List::stream).map(StartedBroker::kind)
            .toList();
        if (kinds.contains(StartedBroker.Kind.KAFKA)) {
            Matcher matcher = Pattern.compile("kafka_2\\.13-([^/:]+)\\.jar").matcher(layout.kafkaClasspath());
            versions.put("apacheKafka", matcher.find() ? matcher.group(1) : "unknown");
        }
        if (kinds.contains(StartedBroker.Kind.STRATA)) {
            versions.put("strataJar", layout.strataJar().toString());
            versions.put("strataCommit", gitCommit(layout.loadtestDir()));
        }
        versions.put("java", System.getProperty("java.version"));
        return versions;
    }

    private static String gitCommit(Path dir) {
        try {
            Process git = new ProcessBuilder("git", "-C", dir.toString(), "rev-parse", "--short", "HEAD")
                .redirectErrorStream(true).start();
            String output = new String(git.getInputStream().readAllBytes()).trim();
            return git.waitFor() == 0 ? output : "unknown";
        } catch (IOException e) {
            return "unknown";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "unknown";
        }
    }

    static final class ScenarioConverter implements ITypeConverter<Scenario> {
        @Override
        public Scenario convert(String value) {
            return Scenario.byId(value);
        }
    }

    static final class ScenarioIds extends ArrayList<String> {
        ScenarioIds() {
            super(Arrays.stream(Scenario.values()).map(Scenario::id).toList());
        }
    }
}
