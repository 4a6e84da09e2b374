package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.message.DescribeGroupsResponseData.DescribedGroup;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
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
        List<Future<DescribedGroup>> described = new ArrayList<>();
        for (String groupId : request.data().groups()) {
            described.add(groups.callNowFor(context.vertxContext(), groupId, error -> refused(groupId, error),
                    coordinator -> coordinator.describeGroup(groupId, context.apiVersion())));
        }
        return Future.all(described).map(all -> {
            DescribeGroupsResponseData response = new DescribeGroupsResponseData().setThrottleTimeMs(0);
            for (int i = 0; i < described.size(); i++) {
                response.groups().add(all.resultAt(i));
            }
            return response;
        });
    }

    private static DescribedGroup refused(String groupId, Errors error) {
        return new DescribedGroup().setGroupId(groupId).setErrorCode(error.code()).setGroupState("")
                .setProtocolType("").setProtocolData("");
    }
}
