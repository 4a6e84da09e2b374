package io.strata.objectstore;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** One page of a listing; {@code nextToken} is null on the last page. */
public record ListPage(List<ObjectInfo> objects, String nextToken) {
    public ListPage {
        objects = List.copyOf(objects);
    }

    /** Follows continuation tokens from the first page to the last, collecting every object. */
    static CompletableFuture<List<ObjectInfo>> collectAll(
            Function<String, CompletableFuture<ListPage>> pageFetcher) {
        List<ObjectInfo> all = new ArrayList<>();
        return next(pageFetcher, null, all).thenApply(v -> all);
    }

    private static CompletableFuture<Void> next(
            Function<String, CompletableFuture<ListPage>> pageFetcher, String token, List<ObjectInfo> all) {
        return pageFetcher.apply(token).thenCompose(page -> {
            all.addAll(page.objects());
            return page.nextToken() == null
                    ? CompletableFuture.completedFuture(null)
                    : next(pageFetcher, page.nextToken(), all);
        });
    }
}
