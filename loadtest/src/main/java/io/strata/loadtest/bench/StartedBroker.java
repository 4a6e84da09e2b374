package io.strata.loadtest.bench;

import java.nio.file.Path;

/**
 * A broker the tool started: what it is, its process, its data directory (catchup-cold looks into it), and
 * for Strata the port of its metrics endpoint (-1 for Kafka).
 */
record StartedBroker(Kind kind, BrokerProcess process, Path dataDir, int httpPort) {

    enum Kind { KAFKA, STRATA }
}
