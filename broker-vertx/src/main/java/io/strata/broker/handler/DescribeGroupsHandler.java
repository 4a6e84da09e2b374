package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.DescribeGroupsRequest;

/**
 * DescribeGroups (v0-6): state, protocol and members of each group. Authorized operations are not computed (Strata
 * has no ACLs) and keep Kafka's "not provided" value. Stateless.
 */
public final class DescribeGroupsHandler implements ApiHandler<DescribeGroupsRequest> {

    private final GroupCoordinatorContext groups;

    public DescribeGroupsHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.DESCRIBE_GROUPS;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, DescribeGroupsRequest request) {
        return groups.callNow(context.vertxContext(), coordinator -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData().setThrottleTimeMs(0);
            request.data().groups().forEach(id -> response.groups().add(
                    coordinator.describeGroup(id, context.apiVersion())));
            return response;
        }).map(response -> response);
    }
}
