package io.strata.loadtest.bench;

import java.net.URI;
import java.util.List;

/**
 * Where a Strata cluster's write-ahead log goes: the S3 endpoint its brokers PUT to (with their keys, bucket and
 * prefix) and the PostgreSQL database they commit to, so that the wal-path probe can do the same two steps against
 * the same servers; and the cluster's {@code wal.linger.ms}, for the goal "produce p99 at most the probe's p99 plus
 * linger plus 5 ms"; and the pids of the S3 server and PostgreSQL, whose CPU the produce runs report.
 */
record WalStores(URI s3Endpoint, String bucket, String accessKey, String secretKey, String region, String prefix,
                 String jdbcUrl, String databaseUser, int lingerMs, String probeClasspath, List<Long> storePids) {

    /**
     * CPU seconds used so far by the S3 server and PostgreSQL (the processes of {@code storePids} and all their
     * descendants: S3Proxy's own child, PostgreSQL's backends), which a Strata cluster needs and a Kafka cluster
     * does not; shared by every Strata cluster of the run.
     */
    double storeCpuSeconds() {
        return storePids.stream().flatMap(pid -> java.util.stream.Stream.concat(java.util.stream.Stream.of(pid),
                ProcessHandle.of(pid).stream().flatMap(ProcessHandle::descendants).map(ProcessHandle::pid)))
            .mapToDouble(io.strata.loadtest.ProcessCpu::seconds).sum();
    }
}
