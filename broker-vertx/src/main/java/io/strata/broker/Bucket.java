package io.strata.broker;

import io.strata.broker.config.ClaimSettings;
import io.strata.broker.config.TieringSettings;
import io.strata.objectstore.ObjectStore;
import io.strata.objectstore.s3.S3Config;
import io.strata.objectstore.s3.S3ObjectStore;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import io.strata.tiering.remote.BucketPrefixClaim;
import io.strata.tiering.remote.PrefixClaimedException;
import io.strata.tiering.remote.PrefixLease;
import io.strata.tiering.remote.RemoteStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bucket the broker tiers to: an {@link S3ObjectStore} on the configured endpoint, or on the
 * embedded S3 server ({@link S3ProxyServer}, data under {@code <log.dirs>/s3}) that the broker
 * starts when none is configured, so that the default broker needs no outside service and still
 * exercises the very same S3 code path. Absent when tiering is disabled. Before the broker writes to
 * it, {@link #claimPrefix} claims the prefix for this broker ({@link BucketPrefixClaim}); closing the
 * bucket releases the claim.
 */
final class Bucket implements AutoCloseable {

    private static final Logger LOGGER = LoggerFactory.getLogger(Bucket.class);

    private final Optional<ObjectStore> store;
    private final Optional<S3ProxyServer> embedded;
    private final TieringSettings settings;
    private final String description;
    private CompletableFuture<Void> probe;
    private PrefixLease lease;

    private Bucket(Optional<ObjectStore> store, Optional<S3ProxyServer> embedded, TieringSettings settings,
                   String description) {
        this.store = store;
        this.embedded = embedded;
        this.settings = settings;
        this.description = description;
    }

    static Bucket open(TieringSettings settings, Path dataDir) {
        if (!settings.enabled()) {
            return new Bucket(Optional.empty(), Optional.empty(), settings, "tiering disabled");
        }
        S3Config s3 = settings.s3();
        Optional<S3ProxyServer> embedded = Optional.empty();
        if (settings.embedded()) {
            try {
                S3ProxyServer server = S3ProxyServer.start(S3ProxyServer.Settings.embedded(dataDir)
                        .withPort(settings.embeddedPort()));
                embedded = Optional.of(server);
                s3 = server.clientConfig().partSize(s3.partSize()).prefix(s3.prefix()).build();
            } catch (IOException e) {
                LOGGER.debug("The embedded S3 server did not start", e);
                throw new StartupFailure("Could not start the embedded S3 server on 127.0.0.1:"
                        + settings.embeddedPort() + " (is the port in use? its log is " + dataDir.resolve("s3.log")
                        + "): set " + TieringSettings.EMBEDDED_PORT
                        + " to a free port, or point the broker at an S3 endpoint with STRATA_S3_ENDPOINT.");
            }
        }
        ObjectStore store = S3ObjectStore.open(s3);
        String description = "bucket " + s3.bucket() + (s3.prefix().isEmpty() ? "" : "/" + s3.prefix()) + " at "
                + s3.endpoint().map(URI::toString).orElse("AWS S3")
                + (embedded.isPresent() ? " (embedded S3 server)" : "");
        return new Bucket(Optional.of(store), embedded, settings, description);
    }

    /**
     * The bucket for {@code strata inspect}, read-only in spirit: the configured endpoint, or the
     * embedded server of a broker running on this data directory, or (when none runs) a private
     * embedded server on a free port over the same folder.
     */
    static Bucket openForInspection(TieringSettings settings, Path dataDir) {
        if (!settings.embedded() || !listening(settings.embeddedPort())) {
            TieringSettings own = settings.embedded()
                    ? new TieringSettings(true, settings.s3(), 0, settings.remote(), settings.remoteFetchMaxWaitMs())
                    : settings;
            return open(own, dataDir);
        }
        S3Config s3 = S3Config.builder(S3ProxyServer.Settings.embedded(dataDir).bucket())
                .endpoint(URI.create("http://127.0.0.1:" + settings.embeddedPort()))
                .region(S3ProxyServer.REGION)
                .credentials(S3ProxyServer.DEFAULT_ACCESS_KEY, S3ProxyServer.DEFAULT_SECRET_KEY)
                .pathStyle(true)
                .prefix(settings.s3().prefix())
                .build();
        return new Bucket(Optional.of(S3ObjectStore.open(s3)), Optional.empty(), settings,
                "the embedded S3 server of the running broker at " + s3.endpoint().orElseThrow());
    }

    private static boolean listening(int port) {
        try (java.net.Socket socket = new java.net.Socket()) {
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The object store, when tiering is enabled. */
    Optional<ObjectStore> store() {
        return store;
    }

    /**
     * Claims the bucket prefix for this broker, when it tiers: reads the data directory's writer id
     * ({@link BucketWriterId}; the caller holds the data directory's lock) and acquires the claim, renewed until {@link #close()} (when the bucket does not
     * answer, the broker starts without writing to it and claims it later). Tells {@code onFenced} if another
     * broker holds or takes the prefix later.
     *
     * @throws PrefixClaimedException when another live broker holds the prefix
     */
    void claimPrefix(Path dataDir, int nodeId, ClaimSettings claim, Consumer<String> onFenced) {
        if (store.isEmpty()) {
            return;
        }
        String writerId = BucketWriterId.readOrCreate(dataDir);
        String holder = "broker " + nodeId + " on host " + hostName() + ", pid " + ProcessHandle.current().pid();
        lease = BucketPrefixClaim.acquire(store.get(), writerId, holder, description, claim.ttl(),
                claim.renewInterval(), Clock.systemUTC());
        lease.onFenced(onFenced);
    }

    /**
     * Cluster mode: every broker of the cluster writes under the prefix, each partition fenced by its leader epoch
     * in the metadata database, so nothing is claimed; {@code lease} says when this broker may write at all.
     */
    void sharePrefix(PrefixLease shared) {
        lease = shared;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return Optional.ofNullable(System.getenv("HOSTNAME")).orElse("unknown");
        }
    }

    /** The bucket for the log manager, once the prefix is claimed ({@link #claimPrefix}). */
    Optional<RemoteStorage> remoteStorage() {
        if (store.isPresent() && lease == null) {
            throw new IllegalStateException("the bucket prefix must be claimed before the remote tier writes to it");
        }
        return store.map(s -> new RemoteStorage(s, settings.remote(), lease));
    }

    /**
     * Lists one key of the bucket, once (later calls return the same outcome): completes normally when the bucket
     * answers (or when the broker does not tier), exceptionally otherwise. Never blocks.
     */
    synchronized CompletableFuture<Void> probe() {
        if (probe == null) {
            probe = store.map(s -> s.list("", null, 1).<Void>thenApply(page -> null))
                    .orElse(CompletableFuture.completedFuture(null));
        }
        return probe;
    }

    Optional<URI> embeddedEndpoint() {
        return embedded.map(S3ProxyServer::endpoint);
    }

    String describe() {
        return description;
    }

    @Override
    public void close() {
        if (lease != null) {
            lease.close();
        }
        store.ifPresent(ObjectStore::close);
        embedded.ifPresent(server -> {
            try {
                server.close();
            } catch (RuntimeException e) {
                LOGGER.warn("The embedded S3 server did not stop cleanly: {}", e.toString());
            }
        });
    }
}
