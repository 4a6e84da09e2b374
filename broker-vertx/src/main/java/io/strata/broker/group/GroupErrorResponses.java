package io.strata.broker.group;

import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.protocol.Errors;

/** The JoinGroup and SyncGroup answers that carry only an error, as Kafka shapes them per version. */
public final class GroupErrorResponses {

    private GroupErrorResponses() {
    }

    public static JoinGroupResponseData joinError(String memberId, Errors error, short version) {
        return new JoinGroupResponseData()
                .setErrorCode(error.code())
                .setGenerationId(-1)
                .setProtocolName(version >= 7 ? null : "")
                .setLeader("")
                .setMemberId(memberId);
    }

    public static SyncGroupResponseData syncError(Errors error) {
        return new SyncGroupResponseData().setErrorCode(error.code()).setAssignment(new byte[0]);
    }
}
