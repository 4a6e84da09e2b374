package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.OffsetDeleteRequest;

/**
 * OffsetDelete (v0): removes committed offsets of a group, refused per partition with GROUP_SUBSCRIBED_TO_TOPIC
 * while members of the group consume the topic. Stateless.
 */
public final class OffsetDeleteHandler implements ApiHandler<OffsetDeleteRequest> {

    private final GroupCoordinatorContext groups;

    public OffsetDeleteHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_DELETE;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, OffsetDeleteRequest request) {
        return groups.callFor(context.vertxContext(), request.data().groupId(),
                        error -> new OffsetDeleteResponseData().setErrorCode(error.code()),
                        coordinator -> coordinator.deleteOffsets(request.data()))
                .map(response -> response.setThrottleTimeMs(0));
    }
}
