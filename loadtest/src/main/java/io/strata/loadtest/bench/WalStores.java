package io.strata.loadtest.bench;

import java.net.URI;

/**
 * Where a Strata cluster's write-ahead log goes: the S3 endpoint its brokers PUT to (with their keys, bucket and
 * prefix) and the PostgreSQL database they commit to, so that the wal-path probe can do the same two steps against
 * the same servers; and the cluster's {@code wal.linger.ms}, for the goal "produce p99 at most the probe's p99 plus
 * linger plus 5 ms".
 */
record WalStores(URI s3Endpoint, String bucket, String accessKey, String secretKey, String region, String prefix,
                 String jdbcUrl, String databaseUser, int lingerMs, String probeClasspath) {
}
