package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterNode;

import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/**
 * DescribeCluster (v0-2): the brokers of the cluster and the controller (the controller-lease holder; in
 * single-broker mode this broker). Asking for controllers (v1+) is refused as Kafka brokers do. */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    private static final byte ENDPOINT_TYPE_BROKER = 1;
    private final Cluster cluster;

    public DescribeClusterHandler(Cluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_CLUSTER;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeClusterRequest request) {
        DescribeClusterResponseData response = new DescribeClusterResponseData()
                .setThrottleTimeMs(0)
                .setEndpointType(ENDPOINT_TYPE_BROKER)
                .setClusterId(cluster.clusterId())
                .setControllerId(cluster.controllerId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (context.apiVersion() >= 1 && request.data().endpointType() != ENDPOINT_TYPE_BROKER) {
            return Future.succeededFuture(response
                    .setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage("This endpoint is a broker and cannot describe controllers"));
        }
        response.setErrorCode(Errors.NONE.code());
        for (ClusterNode node : cluster.brokers()) {
            response.brokers().add(new DescribeClusterBroker()
                    .setBrokerId(node.nodeId())
                    .setHost(node.host())
                    .setPort(node.port())
                    .setRack(node.rack().orElse(null))
                    .setIsFenced(false));
        }
        return Future.succeededFuture(response);
    }
}
