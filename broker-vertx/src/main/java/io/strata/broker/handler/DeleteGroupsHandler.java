package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.message.DeleteGroupsResponseData.DeletableGroupResult;
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
        List<Future<List<DeletableGroupResult>>> deleted = new ArrayList<>();
        for (String groupId : request.data().groupsNames()) {
            deleted.add(groups.callFor(context.vertxContext(), groupId,
                    error -> List.of(new DeletableGroupResult().setGroupId(groupId).setErrorCode(error.code())),
                    coordinator -> coordinator.deleteGroups(List.of(groupId))));
        }
        return Future.all(deleted).map(all -> {
            DeletableGroupResultCollection results = new DeletableGroupResultCollection();
            for (int i = 0; i < deleted.size(); i++) {
                results.addAll(all.<List<DeletableGroupResult>>resultAt(i));
            }
            return new DeleteGroupsResponseData().setThrottleTimeMs(0).setResults(results);
        });
    }
}
