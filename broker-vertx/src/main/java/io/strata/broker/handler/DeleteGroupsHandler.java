package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResultCollection;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DeleteGroupsRequest;

/** DeleteGroups (v0-2): removes empty groups and their committed offsets. Stateless. */
public final class DeleteGroupsHandler implements ApiHandler<DeleteGroupsRequest> {

    private final GroupCoordinatorContext groups;

    public DeleteGroupsHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DELETE_GROUPS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DeleteGroupsRequest request) {
        return groups.call(context.vertxContext(), coordinator -> coordinator.deleteGroups(request.data().groupsNames()))
                .map(results -> new DeleteGroupsResponseData().setThrottleTimeMs(0)
                        .setResults(new DeletableGroupResultCollection(results.iterator())));
    }
}
