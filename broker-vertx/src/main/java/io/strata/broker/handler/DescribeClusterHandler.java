package io.strata.broker.handler;

import io.strata.broker.BrokerIdentity;
import java.util.function.Supplier;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.message.DescribeClusterResponseData.DescribeClusterBroker;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.DescribeClusterRequest;

/** DescribeCluster (v0-2): one broker, which is also the controller. Asking for controllers (v1+) is refused as Kafka brokers do. */
public final class DescribeClusterHandler implements ApiHandler<DescribeClusterRequest> {

    private static final byte ENDPOINT_TYPE_BROKER = 1;
    private final Supplier<BrokerIdentity> identity;

    public DescribeClusterHandler(Supplier<BrokerIdentity> identity) {
        this.identity = identity;
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
                .setClusterId(identity.get().clusterId())
                .setControllerId(identity.get().nodeId())
                .setClusterAuthorizedOperations(Integer.MIN_VALUE);
        if (context.apiVersion() >= 1 && request.data().endpointType() != ENDPOINT_TYPE_BROKER) {
            return Future.succeededFuture(response
                    .setErrorCode(Errors.MISMATCHED_ENDPOINT_TYPE.code())
                    .setErrorMessage("This endpoint is a broker and cannot describe controllers"));
        }
        response.setErrorCode(Errors.NONE.code());
        response.brokers().add(new DescribeClusterBroker()
                .setBrokerId(identity.get().nodeId())
                .setHost(identity.get().host())
                .setPort(identity.get().port())
                .setRack(null)
                .setIsFenced(false));
        return Future.succeededFuture(response);
    }
}
