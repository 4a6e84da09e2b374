package io.strata.broker.handler;

import io.strata.broker.group.GroupCoordinatorContext;
import io.strata.broker.protocol.ApiHandler;
import io.strata.broker.protocol.RequestContext;
import io.vertx.core.Future;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.requests.OffsetCommitRequest;

/**
 * OffsetCommit (v2-9; v10, which names topics by id, is unstable in Kafka 4.1 and not served). The response is
 * sent once the offsets are stored. Stateless.
 */
public final class OffsetCommitHandler implements ApiHandler<OffsetCommitRequest> {

    private final GroupCoordinatorContext groups;

    public OffsetCommitHandler(GroupCoordinatorContext groups) {
        this.groups = groups;
    }

    @Override
    public ApiKeys apiKey() {
        return ApiKeys.OFFSET_COMMIT;
    }

    @Override
    public Future<ApiMessage> handle(RequestContext context, OffsetCommitRequest request) {
        return groups.callFor(context.vertxContext(), request.data().groupId(),
                error -> OffsetCommitRequest.getErrorResponse(request.data(), error),
                coordinator -> coordinator.commitOffsets(request.data(), context.apiVersion()))
                .map(response -> response.setThrottleTimeMs(0));
    }
}
