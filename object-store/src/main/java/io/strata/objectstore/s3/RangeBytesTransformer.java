package io.strata.objectstore.s3;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.reactivestreams.Subscriber;
import org.reactivestreams.Subscription;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.SdkPublisher;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * Collects a GET response body into one buffer sized from the response's Content-Length, allocated
 * outside the Java heap: one copy from the network buffers, no growing and no final copy (the SDK's
 * {@code toBytes()} does both), and no multi-megabyte arrays for the garbage collector (range reads
 * of 4 MiB chunks would each be a humongous G1 object). A direct buffer is also what the socket
 * write of a Fetch response wants, so a cached chunk goes to consumers without another copy. The
 * SDK calls {@link #prepare} again for each retry, which starts over. Not shared between requests.
 */
final class RangeBytesTransformer implements AsyncResponseTransformer<GetObjectResponse, RangeBytesTransformer.Result> {

    /** The response and its body, positioned at 0. */
    record Result(GetObjectResponse response, ByteBuffer body) {
    }

    private final int expectedLength;
    private volatile CompletableFuture<Result> future;
    private volatile GetObjectResponse response;

    /** @param expectedLength the body length when the server sends no Content-Length */
    RangeBytesTransformer(int expectedLength) {
        this.expectedLength = expectedLength;
    }

    @Override
    public CompletableFuture<Result> prepare() {
        future = new CompletableFuture<>();
        return future;
    }

    @Override
    public void onResponse(GetObjectResponse getObjectResponse) {
        this.response = getObjectResponse;
    }

    @Override
    public void onStream(SdkPublisher<ByteBuffer> publisher) {
        Long contentLength = response == null ? null : response.contentLength();
        int capacity = contentLength == null ? expectedLength : (int) Math.min(Integer.MAX_VALUE - 8, contentLength);
        CompletableFuture<Result> target = future;
        publisher.subscribe(new Subscriber<ByteBuffer>() {
            private ByteBuffer body = ByteBuffer.allocateDirect(capacity);

            @Override
            public void onSubscribe(Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer part) {
                if (body.remaining() < part.remaining()) {
                    ByteBuffer larger = ByteBuffer.allocateDirect(
                            (int) Math.min(Integer.MAX_VALUE - 8, Math.max(2L * body.capacity(),
                                    (long) body.position() + part.remaining())));
                    body.flip();
                    larger.put(body);
                    body = larger;
                }
                body.put(part);
            }

            @Override
            public void onError(Throwable error) {
                target.completeExceptionally(error);
            }

            @Override
            public void onComplete() {
                target.complete(new Result(response, body.flip()));
            }
        });
    }

    @Override
    public void exceptionOccurred(Throwable error) {
        CompletableFuture<Result> current = future;
        if (current != null) {
            current.completeExceptionally(error);
        }
    }
}
