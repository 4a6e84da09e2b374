package io.strata.broker.group;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a classic-protocol group, as in Apache Kafka:
 * <pre>
 *   Empty ──join──▶ PreparingRebalance ──all joined / timeout──▶ CompletingRebalance ──leader's SyncGroup──▶ Stable
 *     ▲                 │      ▲                                        │                                        │
 *     └──no members─────┘      └──────────── join, leave, session expiry ┴────────────────────────────────────────┘
 *   any state ──DeleteGroups / expiry──▶ Dead
 * </pre>
 * A transition from a state not listed as a valid predecessor is a bug and throws.
 */
public enum GroupState {
    EMPTY("Empty"),
    PREPARING_REBALANCE("PreparingRebalance"),
    COMPLETING_REBALANCE("CompletingRebalance"),
    STABLE("Stable"),
    DEAD("Dead");

    private final String kafkaName;

    GroupState(String kafkaName) {
        this.kafkaName = kafkaName;
    }

    /** The name Kafka reports in DescribeGroups and ListGroups ({@code "Stable"}, ...). */
    public String kafkaName() {
        return kafkaName;
    }

    /** The states a group may enter this state from. */
    Set<GroupState> validPrevious() {
        return switch (this) {
            case EMPTY -> EnumSet.of(PREPARING_REBALANCE);
            case PREPARING_REBALANCE -> EnumSet.of(STABLE, COMPLETING_REBALANCE, EMPTY);
            case COMPLETING_REBALANCE -> EnumSet.of(PREPARING_REBALANCE);
            case STABLE -> EnumSet.of(COMPLETING_REBALANCE);
            case DEAD -> EnumSet.allOf(GroupState.class);
        };
    }
}
