package io.strata.loadtest.bench;

import java.nio.file.Path;

/** A broker the tool started: what it is, its process, and its data directory (catchup-cold looks into it). */
record StartedBroker(Kind kind, BrokerProcess process, Path dataDir) {

    enum Kind { KAFKA, STRATA }
}
