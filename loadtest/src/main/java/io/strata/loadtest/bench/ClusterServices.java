package io.strata.loadtest.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the Strata clusters the tool starts share: one PostgreSQL ({@link PostgresProcess}) and one S3 server
 * ({@link S3Service}), each cluster with a database and a key prefix of its own. strata-cluster-slow-s3 reaches the
 * S3 server through the throttling proxy. {@link #stop()} stops them after the brokers.
 */
final class ClusterServices {

    /** The brokers' {@code wal.linger.ms}: cluster mode's default, which the tool does not change. */
    static final int WAL_LINGER_MS = 5;

    private final Layout layout;
    private final PostgresProcess postgres;
    private final S3Service s3;

    private ClusterServices(Layout layout, PostgresProcess postgres, S3Service s3) {
        this.layout = layout;
        this.postgres = postgres;
        this.s3 = s3;
    }

    /** Starts PostgreSQL and the S3 server (and the throttling proxy with {@code slowFirstByteMs}); logs in {@code work}. */
    static ClusterServices start(Layout layout, Path work, Optional<String> slowFirstByteMs, Progress progress)
        throws IOException, InterruptedException {
        PostgresProcess postgres = PostgresProcess.start(work.resolve("postgres.log"));
        progress.say("PostgreSQL (pid " + postgres.process().pid().orElse(-1) + ") on " + postgres.process().bootstrap()
            + ", log " + work.resolve("postgres.log"));
        try {
            S3Service s3 = S3Service.start(layout, work, slowFirstByteMs, "-Xmx512m");
            progress.say("S3 server on " + s3.endpoint() + s3.throttledEndpoint().map(proxy -> ", throttling proxy (first"
                + " byte " + slowFirstByteMs.orElse("") + " ms) on " + proxy).orElse("") + ", logs in " + work);
            return new ClusterServices(layout, postgres, s3);
        } catch (IOException | InterruptedException | RuntimeException e) {
            postgres.stop();
            throw e;
        }
    }

    /** Starts {@code system}'s brokers with a database and a prefix of their own; returns once they all serve. */
    Target startStrataCluster(BrokerLauncher launcher, String system, Path dir, int size)
        throws IOException, InterruptedException {
        String database = system.replace('-', '_');
        postgres.createDatabase(database);
        boolean slow = system.equals(Systems.STRATA_CLUSTER_SLOW_S3);
        URI endpoint = slow ? s3.throttledEndpoint().orElseThrow() : s3.endpoint();
        String prefix = system + "/";
        List<StartedBroker> brokers = launcher.startStrataCluster(dir, size, postgres.metadataStore(database), endpoint,
            prefix, Map.of());
        WalStores stores = new WalStores(endpoint, S3Service.BUCKET, S3Service.ACCESS_KEY, S3Service.SECRET_KEY,
            S3Service.REGION, prefix, postgres.jdbcUrl(database), PostgresProcess.USER, WAL_LINGER_MS,
            layout.childClasspath(), storePids());
        return Systems.cluster(system, brokers, Optional.of(stores));
    }

    private List<Long> storePids() {
        List<Long> pids = new java.util.ArrayList<>();
        postgres.process().pid().ifPresent(pids::add);
        s3.pids().forEach(pids::add);
        return pids;
    }

    void stop() throws InterruptedException, IOException {
        try {
            s3.stop();
        } finally {
            postgres.stop();
        }
    }
}
