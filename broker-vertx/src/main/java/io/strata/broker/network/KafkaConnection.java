package io.strata.broker.network;

import io.strata.broker.config.BrokerConfig;
import io.strata.broker.protocol.ApiHandlerRegistry;
import io.strata.broker.protocol.RequestContext;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.CompositeByteBuf;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.internal.net.NetSocketInternal;
import io.vertx.core.net.NetSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.protocol.ApiMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.RequestHeader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: frames the socket's bytes ({@link FrameDecoder}), decodes each frame
 * ({@link RequestDecoder}), dispatches requests to their handlers in arrival order, and writes responses in
 * request order ({@link ResponseOrderer}) whatever order the handlers complete in.
 *
 * <p>Failure policy: a frame with an invalid size, a malformed request, an unserved API or version closes
 * this connection only, with one WARN line. A handler that throws or fails is answered with the API's error
 * response ({@code request.getErrorResponse(0, error)}) and logged at WARN (stack trace at DEBUG); a failed
 * Produce with {@code acks=0}, which has no response, closes the connection as Kafka does so that the
 * producer notices.
 *
 * <p>Memory: the socket's bytes arrive as Netty buffers (no copy to a Vert.x heap buffer) and are released
 * as soon as {@link FrameDecoder} has copied them into a frame, a pooled direct buffer. A frame is released
 * when its request is done: rejected at decoding, or answered (its handler's future completed and the
 * response queued), even when the connection closed meanwhile, since a handler may still be using the
 * frame's bytes (Produce appends them to the segment file straight from the frame).
 *
 * <p>Every answered request is reported to a {@link RequestObserver} (request metrics) with its time from
 * decoding to the response being queued.
 *
 * <p>Back-pressure (Kafka reads one request per connection at a time; this class pipelines, so it bounds what
 * it holds): each request decoded but not yet answered weighs its frame size plus
 * {@link BrokerConfig#REQUEST_OVERHEAD_BYTES}, and its encoded response, while it waits for the earlier ones,
 * weighs its size too. The socket stops being read while the connection holds more than
 * {@code strata.connection.max.inflight.bytes} or {@code strata.connection.max.inflight.requests} requests,
 * while the broker as a whole holds more than {@code queued.max.request.bytes} ({@link RequestBudget}), and
 * while its write queue is full; reading resumes when all of these clear. Decoding stops at the frame that
 * reaches a bound: bytes already read from the socket past it are kept undecoded (in {@code unread}) and
 * decoded first when reading resumes, so a connection exceeds its bounds by at most one request.
 *
 * <p>Idle connections: a connection with no bytes read or written and no request outstanding for
 * {@code connections.max.idle.ms} is closed with an INFO line (a Fetch waiting for data is not idle).
 *
 * <p>Not thread-safe: created on, and confined to, the socket's event loop. Handler results completing on
 * another thread are moved back onto that event loop.
 */
public final class KafkaConnection {
    private static final Logger LOGGER = LoggerFactory.getLogger(KafkaConnection.class);

    private final NetSocket socket;
    private final String connectionId;
    private final InetSocketAddress clientAddress;
    private final String clientText;
    private final ApiHandlerRegistry registry;
    private final RequestObserver observer;
    private final RequestDecoder requestDecoder;
    private final FrameDecoder frameDecoder;
    private final ResponseOrderer<ResponseFrame> orderer;
    private final long maxInflightBytes;
    private final int maxInflightRequests;
    private final RequestBudget budget;
    private final Runnable budgetListener;
    private final long maxIdleMs;
    private final Context context;
    private final Promise<Void> closed = Promise.promise();

    private long inflightBytes;
    private boolean readPaused;
    private boolean closing;
    /** Bytes read from the socket but not decoded because reading is paused; null when none. */
    private CompositeByteBuf unread;
    private boolean decoding;
    private long lastActivityNanos = System.nanoTime();
    private long idleTimerId = -1;

    /**
     * Must be called on the socket's event loop (the server's connect handler). Call {@link #start()} next.
     *
     * @param socket the accepted socket
     * @param connectionId unique id used in logs and {@link RequestContext}
     * @param registry the served APIs
     * @param config {@code socket.request.max.bytes}, {@code strata.connection.max.inflight.bytes} and
     *     {@code .requests}, {@code connections.max.idle.ms}
     * @param budget the broker-wide {@code queued.max.request.bytes}, shared by every connection
     * @param observer told about every answered request
     */
    public KafkaConnection(NetSocket socket, String connectionId, ApiHandlerRegistry registry, BrokerConfig config,
                           RequestBudget budget, RequestObserver observer) {
        this.socket = Objects.requireNonNull(socket, "socket");
        this.connectionId = Objects.requireNonNull(connectionId, "connectionId");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.observer = Objects.requireNonNull(observer, "observer");
        this.context = Objects.requireNonNull(Vertx.currentContext(), "KafkaConnection must be created on a Vert.x context");
        this.clientAddress = toInet(socket.remoteAddress());
        this.clientText = KafkaServer.address(socket.remoteAddress());
        this.requestDecoder = new RequestDecoder(registry);
        this.frameDecoder = new FrameDecoder(config.socketRequestMaxBytes(),
                ((NetSocketInternal) socket).channelHandlerContext().alloc(), this::onFrame, () -> !readPaused);
        this.orderer = new ResponseOrderer<>(this::write);
        this.maxInflightBytes = config.connectionMaxInflightBytes();
        this.maxInflightRequests = config.connectionMaxInflightRequests();
        this.budget = Objects.requireNonNull(budget, "budget");
        this.budgetListener = () -> context.runOnContext(ignored -> updateReadPause());
        this.maxIdleMs = config.connectionsMaxIdleMs();
    }

    /** Installs the socket handlers; bytes start flowing after this call. */
    public KafkaConnection start() {
        socket.closeHandler(ignored -> onClosed());
        socket.exceptionHandler(this::onSocketError);
        socket.drainHandler(ignored -> updateReadPause());
        ((NetSocketInternal) socket).messageHandler(this::onMessage);
        budget.register(budgetListener);
        if (maxIdleMs > 0) {
            scheduleIdleCheck(maxIdleMs);
        }
        updateReadPause();
        LOGGER.debug("Connection {} opened", connectionId);
        return this;
    }

    public String connectionId() {
        return connectionId;
    }

    public InetSocketAddress clientAddress() {
        return clientAddress;
    }

    /** Bytes of requests decoded but not yet answered. Event-loop only. */
    public long inflightBytes() {
        return inflightBytes;
    }

    /** Whether reading is paused by back-pressure. Event-loop only. */
    public boolean isReadPaused() {
        return readPaused;
    }

    /** Completes once the socket is closed, by either side. */
    public Future<Void> closeFuture() {
        return closed.future();
    }

    /** Closes the socket; pending handler results are dropped. Safe to call from any thread. */
    public Future<Void> close() {
        context.runOnContext(ignored -> closeNow());
        return closed.future();
    }

    // ---- inbound ---------------------------------------------------------------------------------------------

    /** The socket's inbound Netty messages, which this method owns: bytes, or (never expected) anything else. */
    private void onMessage(Object message) {
        try {
            if (message instanceof ByteBuf data) {
                onData(data);
            } else {
                LOGGER.debug("Ignoring inbound {} on connection {}", message.getClass().getName(), connectionId);
            }
        } finally {
            ReferenceCountUtil.release(message);
        }
    }

    private void onData(ByteBuf data) {
        if (closing) {
            return;
        }
        lastActivityNanos = System.nanoTime();
        if (unread == null && !readPaused) {
            decode(data);
        } else {
            keepUnread(data);
            drainUnread();
        }
    }

    /** Decodes what reading allows of {@code chunk}; the rest, if any, is kept in {@link #unread}. */
    private void decode(ByteBuf chunk) {
        decoding = true;
        try {
            frameDecoder.feed(chunk);
        } catch (InvalidFrameSizeException e) {
            LOGGER.warn("Closing connection {} from {}: request size {} outside 0..{} (socket.request.max.bytes)",
                    connectionId, clientText, e.size(), e.maxSize());
            closeNow();
        } catch (RuntimeException | OutOfMemoryError e) {
            // A bug, or no direct memory left for the frame (request frames are pooled direct buffers): it must
            // cost this connection only, never the broker, and the connection cannot go on with its framing lost.
            LOGGER.warn("Closing connection {} from {}: unexpected error while reading: {}", connectionId, clientText, e.toString());
            LOGGER.debug("Unexpected error on connection {}", connectionId, e);
            closeNow();
        } finally {
            decoding = false;
        }
        if (chunk.isReadable() && !closing) {
            keepUnread(chunk);
        }
    }

    /** Moves the readable bytes of {@code chunk} to the end of {@link #unread} (retaining them). */
    private void keepUnread(ByteBuf chunk) {
        if (unread == null) {
            unread = ((NetSocketInternal) socket).channelHandlerContext().alloc().compositeDirectBuffer();
        }
        unread.addComponent(true, chunk.readRetainedSlice(chunk.readableBytes()));
    }

    /** Decodes the bytes kept while reading was paused, as long as reading may go on. */
    private void drainUnread() {
        while (unread != null && !readPaused && !closing && !decoding) {
            ByteBuf held = unread;
            unread = null;
            try {
                decode(held);
            } finally {
                held.release();
            }
        }
    }

    /** Owns {@code frame}: releases it at once unless a dispatched request takes it over. */
    private void onFrame(ByteBuf frame) {
        boolean dispatched = false;
        try {
            if (closing) {
                return;
            }
            DecodedRequest decoded = requestDecoder.decode(frame.nioBuffer(frame.readerIndex(), frame.readableBytes()));
            if (decoded instanceof DecodedRequest.Rejected rejected) {
                LOGGER.warn("Closing connection {} from {}: {}", connectionId, clientText, rejected.reason());
                if (rejected.cause() != null) {
                    LOGGER.debug("Decoding failure on connection {}", connectionId, rejected.cause());
                }
                closeNow();
            } else if (decoded instanceof DecodedRequest.Request request) {
                dispatched = true;
                dispatch(request, frame);
            }
        } finally {
            if (!dispatched) {
                frame.release();
            }
        }
    }

    /** Runs the request's handler; {@code frame}, which the request may refer to, is released once it is answered. */
    private void dispatch(DecodedRequest.Request decoded, ByteBuf frame) {
        long startedNanos = System.nanoTime();
        long weight = decoded.frameBytes() + BrokerConfig.REQUEST_OVERHEAD_BYTES;
        ResponseOrderer.Slot slot = orderer.reserve(weight);
        hold(weight);
        updateReadPause();
        RequestContext requestContext = new RequestContext(decoded.header(), connectionId, clientAddress, context);
        registry.dispatch(requestContext, decoded.request())
                .onComplete(result -> onContext(() -> {
                    try {
                        onHandled(slot, decoded, result, startedNanos);
                    } finally {
                        frame.release();
                    }
                }));
    }

    private void onContext(Runnable action) {
        if (Vertx.currentContext() == context) {
            action.run();
        } else {
            context.runOnContext(ignored -> action.run());
        }
    }

    // ---- responses -------------------------------------------------------------------------------------------

    private void onHandled(ResponseOrderer.Slot slot, DecodedRequest.Request decoded, AsyncResult<ApiMessage> result,
                           long startedNanos) {
        if (closing) {
            return;
        }
        Errors error = respond(slot, decoded, result);
        observer.completed(decoded.header().apiKey(), System.nanoTime() - startedNanos, error);
    }

    /** Queues the response (or the error response); returns the error sent, {@link Errors#NONE} when none. */
    private Errors respond(ResponseOrderer.Slot slot, DecodedRequest.Request decoded, AsyncResult<ApiMessage> result) {
        AbstractRequest request = decoded.request();
        boolean expectsResponse = expectsResponse(request);
        if (result.failed()) {
            return handlerFailed(slot, decoded, result.cause());
        } else if (!expectsResponse) {
            if (result.result() != null) {
                LOGGER.debug("Dropping response to {} on connection {}: the client expects none", describe(decoded), connectionId);
            }
            complete(slot, null);
        } else if (result.result() == null) {
            return handlerFailed(slot, decoded, new IllegalStateException("handler completed without a response"));
        } else {
            try {
                complete(slot, encode(decoded, result.result()));
            } catch (RuntimeException e) {
                return handlerFailed(slot, decoded, e);
            }
        }
        return Errors.NONE;
    }

    private Errors handlerFailed(ResponseOrderer.Slot slot, DecodedRequest.Request decoded, Throwable error) {
        LOGGER.warn("{} on connection {} from {} failed: {}", describe(decoded), connectionId, clientText, String.valueOf(error));
        LOGGER.debug("Failure of {} on connection {}", describe(decoded), connectionId, error);
        AbstractRequest request = decoded.request();
        if (!expectsResponse(request)) {
            LOGGER.warn("Closing connection {} from {}: failed {} has no response to carry the error",
                    connectionId, clientText, describe(decoded));
            closeNow();
            return Errors.forException(error);
        }
        ResponseFrame response;
        try {
            response = encode(decoded, request.getErrorResponse(0, error).data());
        } catch (RuntimeException e) {
            LOGGER.warn("Closing connection {} from {}: cannot build the error response to {}: {}",
                    connectionId, clientText, describe(decoded), String.valueOf(e));
            closeNow();
            return Errors.forException(error);
        }
        complete(slot, response);
        return Errors.forException(error);
    }

    private static ResponseFrame encode(DecodedRequest.Request decoded, ApiMessage body) {
        RequestHeader header = decoded.header();
        return ResponseEncoder.encodeFrame(header.correlationId(), header.apiKey(), decoded.responseVersion(), body);
    }

    /** Produce with acks=0 is the only request without a response. */
    private static boolean expectsResponse(AbstractRequest request) {
        return !(request instanceof ProduceRequest produce && produce.acks() == 0);
    }

    /** Queues the response of {@code slot}; it counts as held until written. */
    private void complete(ResponseOrderer.Slot slot, ResponseFrame responseOrNull) {
        if (responseOrNull != null && !closing) {
            hold(responseOrNull.sizeInBytes());
        }
        orderer.complete(slot, responseOrNull);
    }

    /** Called by the orderer, in request order. */
    private void write(ResponseOrderer.Slot slot, ResponseFrame responseOrNull) {
        unhold(slot.weight() + (responseOrNull == null ? 0 : responseOrNull.sizeInBytes()));
        lastActivityNanos = System.nanoTime();
        if (responseOrNull != null) {
            // Buffers and file regions go to the channel as Netty messages, in order: the file regions
            // are sent with sendfile, from the page cache to the socket.
            for (Object message : responseOrNull.toNettyMessages()) {
                ((NetSocketInternal) socket).writeMessage(message).onFailure(e -> LOGGER.debug(
                        "Write failed on connection {}: {}", connectionId, e.toString()));
            }
        }
        updateReadPause();
    }

    // ---- back-pressure and life cycle ------------------------------------------------------------------------

    private void hold(long bytes) {
        inflightBytes += bytes;
        budget.acquire(bytes);
    }

    private void unhold(long bytes) {
        inflightBytes -= bytes;
        budget.release(bytes);
    }

    private void updateReadPause() {
        if (closing) {
            return;
        }
        boolean overInflight = inflightBytes > maxInflightBytes || orderer.pending() >= maxInflightRequests;
        boolean overBudget = budget.exhausted();
        boolean writeQueueFull = socket.writeQueueFull();
        if ((overInflight || overBudget || writeQueueFull) && !readPaused) {
            readPaused = true;
            socket.pause();
            LOGGER.debug("Connection {} paused: {} requests, {} bytes in flight (max {}, {} bytes), broker budget "
                    + "exhausted: {}, write queue full: {}", connectionId, orderer.pending(), inflightBytes,
                    maxInflightRequests, maxInflightBytes, overBudget, writeQueueFull);
        } else if (!overInflight && !overBudget && !writeQueueFull && readPaused) {
            readPaused = false;
            drainUnread(); // may pause again, or close on a bad frame
            if (readPaused || closing) {
                return;
            }
            socket.resume();
            LOGGER.debug("Connection {} resumed: {} bytes in flight", connectionId, inflightBytes);
        }
    }

    private void onSocketError(Throwable error) {
        LOGGER.debug("Socket error on connection {} from {}: {}", connectionId, clientText, error.toString());
        closeNow();
    }

    private void scheduleIdleCheck(long delayMs) {
        idleTimerId = context.owner().setTimer(Math.max(1, delayMs), ignored -> checkIdle());
    }

    private void checkIdle() {
        idleTimerId = -1;
        if (closing) {
            return;
        }
        long idleMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivityNanos);
        if (orderer.pending() > 0) {
            scheduleIdleCheck(maxIdleMs); // a request is outstanding (a Fetch waiting for data): not idle
        } else if (idleMs >= maxIdleMs) {
            LOGGER.info("Closing connection {} from {}: idle for {} ms (connections.max.idle.ms={})",
                    connectionId, clientText, idleMs, maxIdleMs);
            closeNow();
        } else {
            scheduleIdleCheck(maxIdleMs - idleMs);
        }
    }

    private void closeNow() {
        if (!closing) {
            releaseAll();
            socket.close();
        }
    }

    private void onClosed() {
        releaseAll();
        LOGGER.debug("Connection {} closed", connectionId);
        closed.tryComplete();
    }

    /** Forgets every pending request and gives their bytes back to the broker's budget; idempotent. */
    private void releaseAll() {
        closing = true;
        orderer.clear();
        budget.unregister(budgetListener);
        budget.release(inflightBytes);
        inflightBytes = 0;
        frameDecoder.close();
        if (unread != null) {
            unread.release();
            unread = null;
        }
        if (idleTimerId >= 0) {
            context.owner().cancelTimer(idleTimerId);
            idleTimerId = -1;
        }
    }

    private String describe(DecodedRequest.Request decoded) {
        RequestHeader header = decoded.header();
        return header.apiKey().name + " v" + header.apiVersion() + " (correlation id " + header.correlationId()
                + ", client id '" + header.clientId() + "')";
    }

    private static InetSocketAddress toInet(io.vertx.core.net.SocketAddress address) {
        if (address == null || address.hostAddress() == null) {
            return InetSocketAddress.createUnresolved(address == null ? "unknown" : String.valueOf(address.host()),
                    address == null ? 0 : Math.max(address.port(), 0));
        }
        try {
            // hostAddress() is an IP literal, so no DNS lookup happens on the event loop.
            return new InetSocketAddress(InetAddress.getByName(address.hostAddress()), address.port());
        } catch (UnknownHostException e) {
            return InetSocketAddress.createUnresolved(address.hostAddress(), address.port());
        }
    }

    @Override
    public String toString() {
        return "KafkaConnection{" + connectionId + "}";
    }
}
