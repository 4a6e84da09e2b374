package io.strata.loadtest.bench;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A system under test: its name in the report, its bootstrap, the brokers behind it if the tool started them (one,
 * or the members of a cluster), the replication factor and topic configs its topics are created with, and for a
 * Strata cluster the object store and database its write-ahead log writes to (for the wal-path probe).
 */
record Target(String name, String bootstrap, List<StartedBroker> brokers, short replicationFactor,
              Map<String, String> topicConfigs, Optional<WalStores> walStores) {

    Target {
        brokers = List.copyOf(brokers);
        topicConfigs = Map.copyOf(topicConfigs);
    }

    /** A broker the tool did not start. */
    static Target external(String name, String bootstrap) {
        return new Target(name, bootstrap, List.of(), (short) 1, Map.of(), Optional.empty());
    }

    /** One broker the tool started. */
    static Target single(String name, StartedBroker broker) {
        return new Target(name, broker.process().bootstrap(), List.of(broker), (short) 1, Map.of(), Optional.empty());
    }

    /** The broker the tool started when it started exactly one (catchup-cold restarts it). */
    Optional<StartedBroker> started() {
        return brokers.size() == 1 ? Optional.of(brokers.get(0)) : Optional.empty();
    }

    boolean isCluster() {
        return brokers.size() > 1;
    }

    String kind() {
        if (brokers.isEmpty()) {
            return "external bootstrap";
        }
        String system = brokers.get(0).kind() == StartedBroker.Kind.STRATA ? "strata" : "apache-kafka";
        return isCluster() ? system + " cluster of " + brokers.size() + " brokers (started by the tool)"
            : system + " (started by the tool)";
    }
}
