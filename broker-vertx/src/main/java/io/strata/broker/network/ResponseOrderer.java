package io.strata.broker.network;

import java.util.ArrayDeque;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps responses of one connection in request order while handlers complete in any order. Each request
 * takes a {@link Slot} when it is decoded; completing a slot stores its response, and every completed slot at
 * the head of the queue is released to the writer, oldest first. A slot completed with {@code null} (Produce
 * with {@code acks=0}) is released without writing anything but still frees its place.
 *
 * <p>Not thread-safe: one instance per connection, used from the connection's event loop only.
 *
 * @param <T> the encoded response type
 */
public final class ResponseOrderer<T> {
    private static final Logger LOGGER = LoggerFactory.getLogger(ResponseOrderer.class);

    /** One request's place in the response order. */
    public static final class Slot {
        private final long sequence;
        private final long weight;
        private boolean completed;
        private boolean cancelled;
        private Object response;

        private Slot(long sequence, long weight) {
            this.sequence = sequence;
            this.weight = weight;
        }

        /** Position of the request on its connection, from 0. */
        public long sequence() {
            return sequence;
        }

        /** What the caller asked to account for this slot (the request's frame size). */
        public long weight() {
            return weight;
        }

        public boolean isCompleted() {
            return completed;
        }
    }

    /** Receives each released slot in order, with its response (null when nothing is to be written). */
    @FunctionalInterface
    public interface Writer<T> {
        void write(Slot slot, T responseOrNull);
    }

    private final ArrayDeque<Slot> slots = new ArrayDeque<>();
    private final Writer<T> writer;
    private long nextSequence;
    private boolean flushing;

    public ResponseOrderer(Writer<T> writer) {
        this.writer = Objects.requireNonNull(writer, "writer");
    }

    /** Convenience for callers that only need the responses. */
    public static <T> ResponseOrderer<T> writingTo(Consumer<T> responses) {
        return new ResponseOrderer<>((slot, response) -> {
            if (response != null) {
                responses.accept(response);
            }
        });
    }

    /** Takes the next place in the response order. */
    public Slot reserve(long weight) {
        Slot slot = new Slot(nextSequence++, weight);
        slots.addLast(slot);
        return slot;
    }

    /**
     * Stores the response of {@code slot} (null for none) and releases every completed slot at the head.
     *
     * @throws IllegalStateException when the slot was already completed
     */
    public void complete(Slot slot, T responseOrNull) {
        if (slot.cancelled) {
            return;
        }
        if (slot.completed) {
            throw new IllegalStateException("Response slot " + slot.sequence + " completed twice");
        }
        slot.completed = true;
        slot.response = responseOrNull;
        flush();
    }

    /** Number of requests whose responses are not yet released. */
    public int pending() {
        return slots.size();
    }

    /** Forgets every pending slot (the connection is closed); later completions of them are ignored. */
    public void clear() {
        for (Slot slot : slots) {
            slot.cancelled = true;
            slot.response = null;
        }
        slots.clear();
    }

    @SuppressWarnings("unchecked")
    private void flush() {
        if (flushing) {
            return; // a writer callback completed another slot; the outer loop picks it up
        }
        flushing = true;
        try {
            Slot head;
            while ((head = slots.peekFirst()) != null && head.completed) {
                slots.pollFirst();
                T response = (T) head.response;
                head.response = null;
                LOGGER.trace("Releasing response slot {}", head.sequence);
                writer.write(head, response);
            }
        } finally {
            flushing = false;
        }
    }
}
