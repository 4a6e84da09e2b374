package io.strata.loadtest.bench;

import java.util.Optional;

/** A system under test: its name in the report, its bootstrap, and the broker behind it if the tool started it. */
record Target(String name, String bootstrap, Optional<StartedBroker> started) {

    String kind() {
        return started.map(broker -> broker.kind() == StartedBroker.Kind.STRATA ? "strata (started by the tool)"
            : "apache-kafka (started by the tool)").orElse("external bootstrap");
    }
}
