package io.kamacache.jcache;

import java.util.concurrent.TimeUnit;

/**
 * How far this JVM's listeners have the events of one owner's {@link EventOutbox} to it:
 * a call whose reply names a count waits here until they have its events, and with them
 * every event of the owner's that came before.
 */
final class EventInbox {

    private long outbox;
    private long taken;
    private long ended;
    /** The last message whose synchronous listeners failed: its events' counts, (from, through], and the failure. */
    private long failedFrom;
    private long failedThrough;
    private RuntimeException failure;

    /**
     * The listeners here have the events of {@code outbox} from after the count {@code from}
     * up to the count {@code through}; {@code failure}, when not null, is what a synchronous
     * one of them threw.
     *
     * @return how many events of the outbox before {@code from} never came (the owner
     *         counted them but could not send them), when this inbox saw the outbox open
     */
    synchronized long taken(long outbox, long from, long through, RuntimeException failure) {
        long missed = this.outbox == outbox ? from - taken : 0;
        this.outbox = outbox;
        taken = through;
        if (failure != null) {
            failedFrom = from;
            failedThrough = through;
            this.failure = failure;
        }
        notifyAll();
        return missed;
    }

    /** {@code outbox} opened: its events are counted from zero. */
    synchronized void opened(long outbox) {
        this.outbox = outbox;
        taken = 0;
    }

    /** {@code outbox} brings no more events: no one waits for them. */
    synchronized void ended(long outbox) {
        ended = outbox;
        notifyAll();
    }

    /**
     * Waits until the listeners here have the events of {@code outbox} up to the count
     * {@code through}, or until {@code deadline} on the {@link System#nanoTime()} clock.
     *
     * @return whether they have them
     * @throws RuntimeException what a synchronous listener threw on the events of the
     *         message that brought the count {@code through}, a call's last event
     */
    synchronized boolean awaitTaken(long outbox, long through, long deadline) {
        boolean interrupted = false;
        try {
            while (this.outbox != outbox || taken < through) {
                long left = deadline - System.nanoTime();
                if (ended == outbox || left <= 0) {
                    return false;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    interrupted = true; // the call's events still come first
                }
            }
            if (failure != null && failedFrom < through && through <= failedThrough) {
                throw failure;
            }
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
