package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.group.GroupErrorResponses;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.JoinGroupRequest;

/** JoinGroup (v0-9) of the classic group protocol; the answer may wait for the rebalance to complete. Stateless. */
public final class JoinGroupHandler implements ApiHandler<JoinGroupRequest> {

    private final GroupCoordinatorContext groups;

    public JoinGroupHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.JOIN_GROUP;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, JoinGroupRequest request) {
        return groups.callFor(context.vertxContext(), request.data().groupId(),
                error -> GroupErrorResponses.joinError(request.data().memberId(), error, context.apiVersion()),
                coordinator -> coordinator.joinGroup(request.data(), context.apiVersion(), context.clientId(),
                        "/" + context.clientHost())).map(response -> response);
    }
}
