package io.strata.loadtest.bench;

import io.strata.loadtest.FreePorts;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Starts the brokers of {@code --start} as separate JVMs on free ports of 127.0.0.1, data in a directory
 * of their own, each with its own JVM options ({@link #KAFKA_JVM_OPTS}, {@link #STRATA_JVM_OPTS}, unless
 * {@code --kafka-jvm-opts}, {@code --strata-jvm-opts} or {@code --broker-jvm-opts}; every broker of a cluster
 * gets the same options as a single broker) and all with {@code group.initial.rebalance.delay.ms=0}, so that a
 * consumer group benchmark does not wait 3 s for the first rebalance on either (and Kafka with
 * {@code log.segment.delete.delay.ms=0}, so that it deletes a deleted topic's files at once, as Strata
 * does, rather than a minute later in the middle of another run):
 * <ul>
 *   <li>Apache Kafka 4.1 in KRaft mode (one combined broker and controller) from the Maven Central jars of
 *       {@code target/classpath.txt}: {@code kafka.tools.StorageTool format}, then {@code kafka.Kafka};</li>
 *   <li>Strata: {@code java -jar broker-vertx/target/strata-broker.jar} configured through
 *       {@code STRATA_*} variables, its embedded S3 server on a free port (a fixed one, so that a restarted
 *       broker finds the same bucket), the tiering and retention checks every second so that catchup-cold
 *       sees its segments uploaded and deleted locally within seconds;</li>
 *   <li>a Kafka cluster ({@link #startKafkaCluster}): node 1 broker and controller, the others brokers, replication
 *       factor 3 and {@code min.insync.replicas=2};</li>
 *   <li>a Strata cluster ({@link #startStrataCluster}): node ids 1 to n, one metadata database and one S3
 *       endpoint ({@link ClusterServices} starts them), the write-ahead log on.</li>
 * </ul>
 */
final class BrokerLauncher {

    /** Apache Kafka's {@code kafka-server-start.sh} defaults: a 1 GiB heap and its G1 settings. */
    static final String KAFKA_JVM_OPTS = "-Xms1g -Xmx1g -XX:+UseG1GC -XX:MaxGCPauseMillis=20 "
        + "-XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -Djava.awt.headless=true";
    /**
     * The JVM options the README recommends for Strata: the same G1 settings with half Kafka's heap and
     * a cap on direct memory. Strata keeps records in the page cache and remote chunks off the heap (the
     * chunk cache, 256 MiB by default, is direct memory), so a 512 MiB heap is plenty, and the cap keeps
     * chunks that were evicted but not yet collected from growing the process.
     */
    static final String STRATA_JVM_OPTS = "-Xms512m -Xmx512m -XX:MaxDirectMemorySize=384m -XX:+UseG1GC "
        + "-XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent "
        + "-Djava.awt.headless=true";

    private final Layout layout;
    private final List<String> kafkaJvmOptions;
    private final List<String> strataJvmOptions;

    BrokerLauncher(Layout layout, String kafkaJvmOptions, String strataJvmOptions) {
        this.layout = layout;
        this.kafkaJvmOptions = List.of(kafkaJvmOptions.trim().split("\\s+"));
        this.strataJvmOptions = List.of(strataJvmOptions.trim().split("\\s+"));
    }

    StartedBroker startKafka(Path dir) throws IOException, InterruptedException {
        int[] ports = FreePorts.choose(2);
        List<String> properties = new ArrayList<>(List.of(
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + ports[1],
            "listeners=PLAINTEXT://127.0.0.1:" + ports[0] + ",CONTROLLER://127.0.0.1:" + ports[1],
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1"));
        return startKafkaNode(dir, properties, ports[0], Uuid.randomUuid().toString());
    }

    /**
     * Apache Kafka with {@code size} brokers: node 1 is broker and KRaft controller (the quorum's only voter), the
     * others brokers only, each a JVM of its own with {@link #kafkaJvmOptions}; internal topics and new topics get
     * replication factor {@code size} and {@code min.insync.replicas=2} (an acks=all write is answered once two
     * replicas have it: any one broker and its disk can be lost). Returns once every broker is in the cluster.
     */
    List<StartedBroker> startKafkaCluster(Path dir, int size) throws IOException, InterruptedException {
        int[] ports = FreePorts.choose(size + 1);
        int controllerPort = ports[size];
        String clusterId = Uuid.randomUuid().toString();
        int minIsr = Math.min(2, size);
        List<StartedBroker> brokers = new ArrayList<>();
        for (int node = 1; node <= size; node++) {
            int port = ports[node - 1];
            List<String> properties = new ArrayList<>(List.of(
                "process.roles=" + (node == 1 ? "broker,controller" : "broker"),
                "node.id=" + node,
                "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
                "listeners=PLAINTEXT://127.0.0.1:" + port + (node == 1 ? ",CONTROLLER://127.0.0.1:" + controllerPort : ""),
                "num.partitions=1",
                "default.replication.factor=" + size,
                "min.insync.replicas=" + minIsr,
                "offsets.topic.replication.factor=" + size,
                "transaction.state.log.replication.factor=" + size,
                "transaction.state.log.min.isr=" + minIsr,
                "share.coordinator.state.topic.replication.factor=" + size,
                "share.coordinator.state.topic.min.isr=" + minIsr));
            brokers.add(startKafkaNode(Files.createDirectories(dir.resolve("broker-" + node)), properties, port,
                clusterId));
        }
        return brokers;
    }

    /** Formats one Kafka node's log directory for {@code clusterId} and starts it with {@code properties}. */
    private StartedBroker startKafkaNode(Path dir, List<String> nodeProperties, int port, String clusterId)
        throws IOException, InterruptedException {
        Path data = Files.createDirectories(dir.resolve("data"));
        Path properties = dir.resolve("server.properties");
        List<String> lines = new ArrayList<>(nodeProperties);
        lines.addAll(List.of(
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs=" + data,
            "group.initial.rebalance.delay.ms=0",
            // a deleted topic's files go at once, as Strata's do: after the default 60 s their deletion (about
            // 160 ms of CPU per 341 MiB file) landed in a later run, often the other system's
            "log.segment.delete.delay.ms=0", ""));
        Files.writeString(properties, String.join("\n", lines));
        String classpath = layout.kafkaClasspath();
        List<String> logging = List.of("-Dlogback.configurationFile=" + layout.kafkaLogConfig(),
            "-Dkafka.log.file=" + dir.resolve("server.log"));
        List<String> format = new ArrayList<>(List.of(java(), "-Xmx256m"));
        format.addAll(logging);
        format.addAll(List.of("-cp", classpath, "kafka.tools.StorageTool", "format", "-t", clusterId,
            "-c", properties.toString()));
        Path formatLog = dir.resolve("format.log");
        Process formatting = new ProcessBuilder(format).redirectErrorStream(true)
            .redirectOutput(formatLog.toFile()).start();
        StartedProcesses.register(formatting);
        if (!formatting.waitFor(60, TimeUnit.SECONDS) || formatting.exitValue() != 0) {
            StartedProcesses.stop(formatting, Duration.ofSeconds(5));
            throw new IOException("kafka-storage format failed: " + Files.readString(formatLog));
        }
        StartedProcesses.stop(formatting, Duration.ofSeconds(1));
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(kafkaJvmOptions);
        command.addAll(logging);
        command.addAll(List.of("-cp", classpath, "kafka.Kafka", properties.toString()));
        BrokerProcess process = new BrokerProcess("Apache Kafka", command, Map.of(), dir.resolve("stdout.log"), port);
        process.start();
        return new StartedBroker(StartedBroker.Kind.KAFKA, process, data, -1);
    }

    StartedBroker startStrata(Path dir) throws IOException, InterruptedException {
        int[] ports = FreePorts.choose(3);
        Map<String, String> environment = new HashMap<>(Map.of(
            "STRATA_S3_EMBEDDED_PORT", Integer.toString(ports[1])));
        return startStrataNode(dir, environment, ports[0], ports[2]);
    }

    /**
     * Strata with {@code size} brokers in cluster mode (node ids 1 to {@code size}), each a JVM of its own with
     * {@link #strataJvmOptions} and a data directory of its own, all with {@code metadata.store} {@code metadataStore}
     * and the bucket behind {@code s3Endpoint} under {@code prefix}; the write-ahead log is on (cluster mode's default),
     * {@code extra} adds settings (environment variables).
     */
    List<StartedBroker> startStrataCluster(Path dir, int size, String metadataStore, URI s3Endpoint, String prefix,
                                           Map<String, String> extra) throws IOException, InterruptedException {
        List<StartedBroker> brokers = new ArrayList<>();
        for (int node = 1; node <= size; node++) {
            int[] ports = FreePorts.choose(2);
            Map<String, String> environment = new HashMap<>(extra);
            environment.putAll(Map.of(
                "STRATA_NODE_ID", Integer.toString(node),
                "STRATA_METADATA_STORE", metadataStore,
                "STRATA_S3_ENDPOINT", s3Endpoint.toString(),
                "STRATA_S3_BUCKET", S3Service.BUCKET,
                "STRATA_S3_ACCESS_KEY", S3Service.ACCESS_KEY,
                "STRATA_S3_SECRET_KEY", S3Service.SECRET_KEY,
                "STRATA_S3_REGION", S3Service.REGION,
                "STRATA_S3_PATH_STYLE", "true"));
            if (!prefix.isEmpty()) {
                environment.put("STRATA_S3_PREFIX", prefix);
            }
            brokers.add(startStrataNode(Files.createDirectories(dir.resolve("broker-" + node)), environment, ports[0],
                ports[1]));
        }
        return brokers;
    }

    private StartedBroker startStrataNode(Path dir, Map<String, String> settings, int port, int httpPort)
        throws IOException, InterruptedException {
        if (!Files.isRegularFile(layout.strataJar())) {
            throw new IOException(layout.strataJar() + " is missing: build it with mvn -pl broker-vertx -am package"
                + " (or name another with --strata-jar)");
        }
        Path data = Files.createDirectories(dir.resolve("data"));
        List<String> command = new ArrayList<>(List.of(java()));
        command.addAll(strataJvmOptions);
        command.addAll(List.of("-jar", layout.strataJar().toString()));
        Map<String, String> environment = new HashMap<>(settings);
        environment.putAll(Map.of(
            "STRATA_LISTENERS", "PLAINTEXT://127.0.0.1:" + port,
            "STRATA_LOG_DIRS", data.toString(),
            "STRATA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0",
            "STRATA_REMOTE_LOG_MANAGER_TASK_INTERVAL_MS", "1000",
            "STRATA_LOG_RETENTION_CHECK_INTERVAL_MS", "1000",
            // a free port: the default 9464 may be taken on a machine that runs other brokers
            "STRATA_HTTP_PORT", Integer.toString(httpPort)));
        BrokerProcess process = new BrokerProcess("Strata", command, environment, dir.resolve("broker.log"), port);
        process.start();
        return new StartedBroker(StartedBroker.Kind.STRATA, process, data, httpPort);
    }

    static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }
}
