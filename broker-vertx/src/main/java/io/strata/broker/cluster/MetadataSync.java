package io.strata.broker.cluster;

import io.strata.metadata.BrokerRegistration;
import io.strata.metadata.BrokerState;
import io.strata.metadata.ControllerState;
import io.strata.metadata.MetadataException;
import io.strata.metadata.MetadataStore;
import io.strata.metadata.PartitionLeadership;
import io.strata.metadata.TopicDefinition;
import io.strata.metadata.TopicPartitionId;
import io.strata.metadata.controller.BrokerLiveness;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps this broker's {@link ClusterSnapshot} in step with the metadata database. Every
 * {@value #POLL_MS} ms it reads the database's change counter ({@code MetadataStore.changeVersion}, one cheap
 * row); only when it moved, or a heartbeat interval passed, it reads topics, leadership, brokers and the
 * controller again and hands the new snapshot on. So a leadership change reaches every broker within about
 * {@value #POLL_MS} ms without each broker reading every partition that often. Brokers are listed to clients only
 * while alive by the controller's rule ({@link BrokerLiveness}: a heartbeat count that moved within a session
 * timeout on this broker's clock). Runs on one thread; a database that does not answer keeps the last snapshot.
 */
final class MetadataSync implements Runnable {
    private static final Logger LOGGER = LoggerFactory.getLogger(MetadataSync.class);
    static final long POLL_MS = 200;
    private static final long WARN_EVERY_NANOS = Duration.ofSeconds(30).toNanos();

    private final MetadataStore store;
    private final BrokerLiveness liveness;
    private final long fullReadNanos;
    private final Consumer<ClusterSnapshot> onChange;
    private long lastVersion = Long.MIN_VALUE;
    private long lastFullRead;
    private long lastWarning = System.nanoTime() - WARN_EVERY_NANOS;
    private boolean failing;

    MetadataSync(MetadataStore store, Duration sessionTimeout, Duration heartbeatInterval,
                 Consumer<ClusterSnapshot> onChange) {
        this.store = store;
        this.liveness = new BrokerLiveness(sessionTimeout, System::nanoTime);
        this.fullReadNanos = heartbeatInterval.toNanos();
        this.onChange = onChange;
    }

    @Override
    public void run() {
        try {
            long version = store.changeVersion();
            long now = System.nanoTime();
            if (version != lastVersion || now - lastFullRead >= fullReadNanos) {
                lastFullRead = now;
                lastVersion = version;
                onChange.accept(read());
            }
            if (failing) {
                LOGGER.info("The metadata database answers again");
                failing = false;
            }
        } catch (MetadataException e) {
            failing = true;
            long now = System.nanoTime();
            if (now - lastWarning >= WARN_EVERY_NANOS) {
                lastWarning = now;
                LOGGER.warn("Cannot read the cluster's metadata ({}); serving on what was last read", e.getMessage());
            }
        } catch (RuntimeException e) {
            LOGGER.error("Applying the cluster's metadata failed", e);
        }
    }

    /** Reads everything once (also used at start-up, before the first client request). */
    ClusterSnapshot read() {
        long readAt = System.nanoTime();
        Map<String, TopicDefinition> topics = new HashMap<>();
        store.topics().forEach(topic -> topics.put(topic.name(), topic));
        Map<TopicPartitionId, PartitionLeadership> leadership = new HashMap<>();
        store.leadership().forEach(l -> leadership.put(l.partition(), l));
        List<BrokerState> brokers = store.brokers();
        liveness.observe(brokers);
        Set<Integer> alive = liveness.alive();
        List<ClusterNode> live = new ArrayList<>();
        Set<Integer> draining = new java.util.TreeSet<>();
        for (BrokerState broker : brokers) {
            if (alive.contains(broker.nodeId())) {
                node(broker.registration()).ifPresent(live::add);
                if (broker.draining()) {
                    draining.add(broker.nodeId());
                }
            }
        }
        int controller = store.controller().map(ControllerState::nodeId).orElse(-1);
        return new ClusterSnapshot(Map.copyOf(topics), Map.copyOf(leadership), List.copyOf(live), controller, Set.copyOf(draining), readAt);
    }

    /** The first endpoint of a registration ({@code PLAINTEXT://host:port}) as a node clients can reach. */
    static Optional<ClusterNode> node(BrokerRegistration registration) {
        String first = registration.endpoints().split(",")[0].trim();
        try {
            URI uri = URI.create(first.contains("://") ? first : "PLAINTEXT://" + first);
            if (uri.getHost() == null || uri.getPort() < 0) {
                throw new IllegalArgumentException("no host or port");
            }
            return Optional.of(new ClusterNode(registration.nodeId(), uri.getHost(), uri.getPort(), registration.rack()));
        } catch (IllegalArgumentException e) {
            LOGGER.warn("Broker {} registered an endpoint clients cannot use ('{}'): {}", registration.nodeId(), first,
                    e.getMessage());
            return Optional.empty();
        }
    }
}
