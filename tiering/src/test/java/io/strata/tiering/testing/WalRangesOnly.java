package io.strata.tiering.testing;

import io.strata.metadata.MetadataStore;
import io.strata.metadata.WalRange;
import java.lang.reflect.Proxy;
import java.util.Collection;
import java.util.Comparator;
import java.util.function.Supplier;

/**
 * A {@link MetadataStore} for unit tests that answers only {@link MetadataStore#walRanges} (what
 * {@code WalReader} asks), from the ranges a test recorded as committed; every other call throws
 * {@link UnsupportedOperationException}.
 */
public final class WalRangesOnly {

    private WalRangesOnly() {
    }

    /** The ranges of the asked partition that end above the asked offset, in offset order. */
    public static MetadataStore of(Supplier<? extends Collection<WalRange>> committed) {
        return (MetadataStore) Proxy.newProxyInstance(MetadataStore.class.getClassLoader(),
                new Class<?>[] {MetadataStore.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("walRanges")) {
                        throw new UnsupportedOperationException(method.getName());
                    }
                    return committed.get().stream()
                            .filter(r -> r.partition().equals(args[0]) && r.endOffset() > (long) args[1])
                            .sorted(Comparator.comparingLong(WalRange::baseOffset)).toList();
                });
    }
}
