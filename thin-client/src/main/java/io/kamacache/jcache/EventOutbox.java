package io.kamacache.jcache;

import io.kamacache.proto.v1.Event;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * The events on their way from this node, as the owner of their keys, to one other member
 * or client whose listeners want them, its own calls' events among them. An event is added
 * while its key's entry is locked, so each key's events are in the order they happened;
 * they leave in that order once the operation ends, as many to a message as are waiting,
 * one message at a time.
 * Each message names the outbox and counts the events added up to its last: the receiver
 * notes that count once its listeners have them ({@link EventInbox}), and a reply to the
 * receiver's own call names the count its events reach, which the call waits for.
 */
final class EventOutbox {

    /** An event of a cache, and the count of events added up to it. */
    record Queued(String cache, Event event, long count) {
    }

    private final long id;
    private final Executor executor;
    private final Consumer<List<Queued>> send;
    private final ArrayDeque<Queued> queued = new ArrayDeque<>();
    private long added;
    private boolean sending;

    /**
     * @param send sends events, in order, to the outbox's member; called by one thread at
     *             a time, on {@code executor}
     */
    EventOutbox(long id, Executor executor, Consumer<List<Queued>> send) {
        this.id = id;
        this.executor = executor;
        this.send = send;
    }

    long id() {
        return id;
    }

    /**
     * Adds an event, to go at the next {@link #flush}; returns the count of events added,
     * this one included.
     */
    synchronized long add(String cache, Event event) {
        queued.add(new Queued(cache, event, ++added));
        return added;
    }

    /**
     * Sends the events added, on this thread when no other is sending (the operation that
     * added them has just ended: its caller waits for them); what is added meanwhile goes
     * from the executor, so that this thread sends one message's worth at most.
     */
    void flush() {
        List<Queued> next = take();
        if (next != null) {
            send.accept(next);
            sendLater();
        }
    }

    private void sendLater() {
        synchronized (this) {
            if (queued.isEmpty()) {
                sending = false;
                return;
            }
        }
        try {
            executor.execute(() -> {
                send.accept(drain());
                sendLater();
            });
        } catch (RejectedExecutionException e) {
            synchronized (this) { // closing: the events stay unsent
                sending = false;
                queued.clear();
            }
        }
    }

    /** The events to send when no other thread is sending, which this one now is; else null. */
    private synchronized List<Queued> take() {
        if (sending || queued.isEmpty()) {
            return null;
        }
        sending = true;
        return drain();
    }

    private synchronized List<Queued> drain() {
        List<Queued> next = new ArrayList<>(queued);
        queued.clear();
        return next;
    }
}
