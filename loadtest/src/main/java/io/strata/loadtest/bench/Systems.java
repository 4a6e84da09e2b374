package io.strata.loadtest.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/** The systems {@code --start} knows, by the name the report gives them. */
final class Systems {

    static final String STRATA_CLUSTER = "strata-cluster";
    static final String KAFKA_CLUSTER = "kafka-cluster";
    static final String STRATA_CLUSTER_SLOW_S3 = "strata-cluster-slow-s3";
    static final List<String> STARTABLE = List.of(Summary.STRATA, Summary.KAFKA, STRATA_CLUSTER, KAFKA_CLUSTER,
        STRATA_CLUSTER_SLOW_S3);
    /**
     * The topic configs of both clusters: Kafka's durability setting for replication factor 3 (an acks=all write
     * waits for two replicas); Strata stores it and ignores it (its durability comes from the bucket).
     */
    /** What strata-cluster-slow-s3 runs: issue 15 asks for its produce p99 (and the probe's, through the same proxy). */
    static final List<Scenario> SLOW_S3_SCENARIOS = List.of(Scenario.PRODUCE_LATENCY, Scenario.WAL_PATH,
        Scenario.E2E_LATENCY);
    static final Map<String, String> CLUSTER_TOPIC_CONFIGS = Map.of("min.insync.replicas", "2");

    private Systems() {
    }

    static boolean isStrataCluster(String system) {
        return system.equals(STRATA_CLUSTER) || system.equals(STRATA_CLUSTER_SLOW_S3);
    }

    /** A cluster the tool started: every broker in the bootstrap, topics with a replica per broker (at most 3). */
    static Target cluster(String name, List<StartedBroker> brokers, Optional<WalStores> walStores) {
        String bootstrap = brokers.stream().map(broker -> broker.process().bootstrap()).collect(Collectors.joining(","));
        return new Target(name, bootstrap, brokers, (short) Math.min(3, brokers.size()),
            brokers.size() > 1 ? CLUSTER_TOPIC_CONFIGS : Map.of(), walStores);
    }
}
