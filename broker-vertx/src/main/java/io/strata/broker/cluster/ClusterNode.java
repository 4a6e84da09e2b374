package io.strata.broker.cluster;

import java.util.Optional;

/**
 * A broker as clients see it in Metadata, DescribeCluster and FindCoordinator: node id, advertised host and port,
 * and rack ({@code broker.rack}, empty when unset).
 */
public record ClusterNode(int nodeId, String host, int port, Optional<String> rack) {
}
