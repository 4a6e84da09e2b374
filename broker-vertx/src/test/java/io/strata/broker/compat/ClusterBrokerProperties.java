package io.strata.broker.compat;

import io.strata.metadata.postgres.PostgresSettings;
import io.strata.metadata.testing.PostgresServer;
import io.strata.objectstore.s3proxy.S3ProxyServer;
import java.util.HashMap;
import java.util.Map;

/**
 * The settings of a cluster broker JVM in tests: its node id, the test's PostgreSQL database, short session and
 * heartbeat times, the test's S3 server and bucket, and a fast remote-tier loop. Callers add their own.
 */
final class ClusterBrokerProperties {

    private ClusterBrokerProperties() {
    }

    static Map<String, String> of(int nodeId, PostgresSettings database, S3ProxyServer s3, String bucket) {
        Map<String, String> properties = new HashMap<>();
        properties.put("node.id", Integer.toString(nodeId));
        properties.put("metadata.store", "postgresql://127.0.0.1:" + database.port() + "/" + database.database());
        properties.put("metadata.store.user", PostgresServer.USER);
        properties.put("metadata.store.password", PostgresServer.PASSWORD);
        properties.put("broker.session.timeout.ms", "6000");
        properties.put("broker.heartbeat.interval.ms", "1000");
        properties.put("s3.endpoint", s3.endpoint().toString());
        properties.put("s3.access.key", s3.settings().accessKey());
        properties.put("s3.secret.key", s3.settings().secretKey());
        properties.put("s3.bucket", bucket);
        properties.put("s3.region", S3ProxyServer.REGION);
        properties.put("s3.path.style", "true");
        properties.put("remote.log.manager.task.interval.ms", "200");
        return properties;
    }
}
