package io.strata.tiering.testing;

import io.strata.metadata.WalRange;
import io.strata.tiering.wal.WalReader;
import java.util.Collection;
import java.util.Comparator;
import java.util.function.Supplier;

/** The committed ranges a unit test recorded, as {@link WalReader} asks for them. */
public final class WalRangesOnly {

    private WalRangesOnly() {
    }

    /** The ranges of the asked partition that end above the asked offset, in offset order. */
    public static WalReader.Ranges of(Supplier<? extends Collection<WalRange>> committed) {
        return (partition, fromOffset) -> committed.get().stream()
                .filter(r -> r.partition().equals(partition) && r.endOffset() > fromOffset)
                .sorted(Comparator.comparingLong(WalRange::baseOffset)).toList();
    }
}
