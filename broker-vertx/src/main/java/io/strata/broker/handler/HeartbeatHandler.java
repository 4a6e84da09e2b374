package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.HeartbeatRequest;

/** Heartbeat (v0-4): keeps a member's session alive and tells it when to rejoin. Stateless. */
public final class HeartbeatHandler implements ApiHandler<HeartbeatRequest> {

    private final GroupCoordinatorContext groups;

    public HeartbeatHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.HEARTBEAT;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, HeartbeatRequest request) {
        return groups.callNowFor(context.vertxContext(), request.data().groupId(), error -> error,
                        coordinator -> coordinator.heartbeat(request.data()))
                .map(error -> new HeartbeatResponseData().setThrottleTimeMs(0).setErrorCode(error.code()));
    }
}
