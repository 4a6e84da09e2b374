package io.strata.broker;

/**
 * Who this broker says it is in Metadata and DescribeCluster responses.
 *
 * @param nodeId    {@code node.id}
 * @param host      advertised host
 * @param port      advertised port (the bound port when the listener uses port 0)
 * @param clusterId the cluster id kept in RocksDB
 */
public record BrokerIdentity(int nodeId, String host, int port, String clusterId) {
}
