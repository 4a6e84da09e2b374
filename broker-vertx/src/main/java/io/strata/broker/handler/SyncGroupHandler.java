package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.group.GroupErrorResponses;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.SyncGroupRequest;

/** SyncGroup (v0-5): the leader hands in the assignment, every member receives its part. Stateless. */
public final class SyncGroupHandler implements ApiHandler<SyncGroupRequest> {

    private final GroupCoordinatorContext groups;

    public SyncGroupHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.SYNC_GROUP;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, SyncGroupRequest request) {
        return groups.callFor(context.vertxContext(), request.data().groupId(), GroupErrorResponses::syncError,
                coordinator -> coordinator.syncGroup(request.data(), context.apiVersion())).map(response -> response);
    }
}
