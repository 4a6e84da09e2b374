package io.strata.broker.handler;

import io.strata.broker.cluster.Cluster;
import io.strata.broker.cluster.ClusterNode;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.FindCoordinatorResponseData.Coordinator;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;

/**
 * FindCoordinator (v0-6, batched keys from v4): a group's coordinator is the broker the {@link Cluster} names (the
 * leader of the group's coordinator slot; this broker itself in single-broker mode), COORDINATOR_NOT_AVAILABLE
 * while the slot has no live leader (clients retry). Transaction and share coordinators do not exist yet and are
 * answered with COORDINATOR_NOT_AVAILABLE; an empty group id with INVALID_REQUEST. Stateless.
 */
public final class FindCoordinatorHandler implements ApiHandler<FindCoordinatorRequest> {

    private final Function<String, Optional<ClusterNode>> groupCoordinator;

    public FindCoordinatorHandler(Cluster cluster) {
        this.groupCoordinator = cluster::groupCoordinator;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.FIND_COORDINATOR;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, FindCoordinatorRequest request) {
        byte keyType = context.apiVersion() >= 1 ? request.data().keyType() : CoordinatorType.GROUP.id();
        FindCoordinatorResponseData response = new FindCoordinatorResponseData().setThrottleTimeMs(0);
        if (context.apiVersion() >= 4) {
            for (String key : request.data().coordinatorKeys()) {
                response.coordinators().add(coordinator(key, keyType));
            }
            return Future.succeededFuture(response);
        }
        Coordinator single = coordinator(request.data().key(), keyType);
        response.setErrorCode(single.errorCode()).setNodeId(single.nodeId()).setHost(single.host())
                .setPort(single.port());
        if (context.apiVersion() >= 1) {
            response.setErrorMessage(single.errorMessage());
        }
        return Future.succeededFuture(response);
    }

    private Coordinator coordinator(String key, byte keyType) {
        Coordinator coordinator = new Coordinator().setKey(key);
        Errors error = Errors.NONE;
        String message = null;
        if (keyType != CoordinatorType.GROUP.id()) {
            boolean known = keyType == CoordinatorType.TRANSACTION.id() || keyType == CoordinatorType.SHARE.id();
            error = known ? Errors.COORDINATOR_NOT_AVAILABLE : Errors.INVALID_REQUEST;
            message = known ? "This broker has no " + CoordinatorType.forId(keyType).name().toLowerCase(java.util.Locale.ROOT)
                    + " coordinator yet" : "Unknown coordinator type " + keyType;
        } else if (key == null || key.isEmpty()) {
            error = Errors.INVALID_REQUEST;
            message = "The group id must not be empty";
        }
        Optional<ClusterNode> node = Optional.empty();
        if (error == Errors.NONE) {
            node = groupCoordinator.apply(key);
            if (node.isEmpty()) {
                error = Errors.COORDINATOR_NOT_AVAILABLE;
                message = "The coordinator of group " + key + " is not available right now";
            }
        }
        if (node.isEmpty()) {
            return coordinator.setErrorCode(error.code()).setErrorMessage(message).setNodeId(-1).setHost("")
                    .setPort(-1);
        }
        return coordinator.setErrorCode(Errors.NONE.code()).setNodeId(node.get().nodeId()).setHost(node.get().host())
                .setPort(node.get().port());
    }
}
