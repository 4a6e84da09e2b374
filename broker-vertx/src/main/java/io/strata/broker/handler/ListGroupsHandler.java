package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ListGroupsRequest;

/** ListGroups (v0-5): every group, filtered by state (v4+) and type (v5+; every group here is "classic"). Stateless. */
public final class ListGroupsHandler implements ApiHandler<ListGroupsRequest> {

    private final GroupCoordinatorContext groups;

    public ListGroupsHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.LIST_GROUPS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, ListGroupsRequest request) {
        return groups.callNow(context.vertxContext(), coordinator -> coordinator.listGroups(
                        context.apiVersion() >= 4 ? request.data().statesFilter() : null,
                        context.apiVersion() >= 5 ? request.data().typesFilter() : null))
                .map(listed -> new ListGroupsResponseData().setThrottleTimeMs(0).setErrorCode(Errors.NONE.code())
                        .setGroups(listed));
    }
}
