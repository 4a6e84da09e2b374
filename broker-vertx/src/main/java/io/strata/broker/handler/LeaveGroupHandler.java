package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.util.List;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;

/**
 * LeaveGroup (v0-5): one member (v0-2) or a batch of members, by member id or group instance id (v3+). Up to v2
 * the member's error is the response's error, as {@link LeaveGroupResponse} arranges. Stateless.
 */
public final class LeaveGroupHandler implements ApiHandler<LeaveGroupRequest> {

    private final GroupCoordinatorContext groups;

    public LeaveGroupHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LEAVE_GROUP;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, LeaveGroupRequest request) {
        return groups.callNowFor(context.vertxContext(), request.data().groupId(),
                        error -> new LeaveGroupResponse(List.of(), error, 0, context.apiVersion()).data(),
                        coordinator -> new LeaveGroupResponse(coordinator.leaveGroup(request.data().groupId(),
                                request.members()), Errors.NONE, 0, context.apiVersion()).data())
                .map(response -> response);
    }
}
