package io.strata.broker.compat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The broker JVMs a test started; every one still running is killed after each test
 * ({@code @RegisterExtension final BrokerProcesses brokers = new BrokerProcesses();}).
 */
final class BrokerProcesses implements AfterEachCallback {

    private final List<BrokerProcess> started = new ArrayList<>();

    /** Starts a broker on {@code dataDir} (see {@link BrokerProcess#start}) and remembers it. */
    BrokerProcess start(Path dataDir, Map<String, String> properties) throws Exception {
        return start(dataDir, properties, List.of());
    }

    /** As {@link #start(Path, Map)}, with JVM options after the defaults (see {@link BrokerProcess#start}). */
    BrokerProcess start(Path dataDir, Map<String, String> properties, List<String> jvmOptions) throws Exception {
        return start(dataDir, properties, jvmOptions, 0);
    }

    /** As {@link #start(Path, Map, List)}, with at most {@code openFilesLimit} open files (see {@link BrokerProcess}). */
    BrokerProcess start(Path dataDir, Map<String, String> properties, List<String> jvmOptions, int openFilesLimit)
            throws Exception {
        BrokerProcess broker = BrokerProcess.start(dataDir, properties, jvmOptions, openFilesLimit);
        started.add(broker);
        return broker;
    }

    /** Launches a broker on {@code dataDir} without waiting for it to listen (see {@link BrokerProcess#launch}). */
    BrokerProcess launch(Path dataDir, Map<String, String> properties) throws Exception {
        BrokerProcess broker = BrokerProcess.launch(dataDir, properties);
        started.add(broker);
        return broker;
    }

    @Override
    public void afterEach(ExtensionContext context) throws InterruptedException {
        for (BrokerProcess broker : started) {
            broker.close();
        }
        started.clear();
    }
}
