package io.strata.broker.deploy;

import io.strata.broker.config.BrokerConfig;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Checks environment variables meant for the broker against the settings it reads. */
final class StrataVariables {

    private StrataVariables() {}

    /**
     * The {@code STRATA_*} variables of {@code environment} whose key ({@code STRATA_A_B} → {@code a.b}) is not
     * in {@link BrokerConfig#knownKeys()}, sorted: a misspelled or invented setting the broker would silently
     * ignore. Other variables ({@code JAVA_OPTS}, ...) are not the broker's and are not reported.
     */
    static List<String> unknown(Map<String, String> environment) {
        Set<String> known = BrokerConfig.knownKeys();
        return environment.keySet().stream()
                .filter(name -> name.startsWith(BrokerConfig.ENV_PREFIX))
                .filter(name -> !known.contains(BrokerConfig.envToKey(name)))
                .sorted()
                .toList();
    }
}
