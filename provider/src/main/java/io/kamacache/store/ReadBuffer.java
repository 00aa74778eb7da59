package io.kamacache.store;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;

/**
 * A striped, bounded, lossy buffer of read hits, so that readers of an LRU or 2Q store do
 * not take the eviction lock on every hit. Each reader thread offers to the stripe its
 * thread id hashes to (a ring of {@value #STRIPE_CAPACITY} slots claimed by CAS); when a
 * stripe is full or the CAS is contended the hit is dropped, which only makes the policy's
 * recency slightly less precise. The single consumer drains every stripe under the
 * eviction lock, in the order each stripe recorded its hits.
 */
final class ReadBuffer<E> {

    static final int STRIPE_CAPACITY = 64;
    private static final int STRIPE_MASK = STRIPE_CAPACITY - 1;

    private final Stripe<E>[] stripes;
    private final int stripeMask;

    @SuppressWarnings("unchecked")
    ReadBuffer() {
        int count = Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1) << 1;
        stripes = new Stripe[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = new Stripe<>();
        }
        stripeMask = count - 1;
    }

    /**
     * Records {@code e} in the calling thread's stripe unless it is full or contended.
     *
     * @return true when the stripe is full and the caller should try to drain
     */
    boolean offer(E e) {
        return stripes[stripeIndex()].offer(e);
    }

    /** Hands every recorded element to {@code consumer}; one thread at a time. */
    void drainTo(Consumer<? super E> consumer) {
        for (Stripe<E> stripe : stripes) {
            stripe.drainTo(consumer);
        }
    }

    private int stripeIndex() {
        long id = Thread.currentThread().getId();
        int h = (int) (id ^ (id >>> 32)) * 0x9E3779B9;
        return (h ^ (h >>> 16)) & stripeMask;
    }

    private static final class Stripe<E> {
        private final AtomicLong readCount = new AtomicLong();
        private final AtomicLong writeCount = new AtomicLong();
        private final AtomicReferenceArray<E> slots = new AtomicReferenceArray<>(STRIPE_CAPACITY);

        boolean offer(E e) {
            long head = readCount.get();
            long tail = writeCount.get();
            long size = tail - head;
            if (size >= STRIPE_CAPACITY) {
                return true;
            }
            if (!writeCount.compareAndSet(tail, tail + 1)) {
                return false;
            }
            slots.lazySet((int) (tail & STRIPE_MASK), e);
            return size + 1 >= STRIPE_CAPACITY;
        }

        void drainTo(Consumer<? super E> consumer) {
            long head = readCount.get();
            long tail = writeCount.get();
            for (; head != tail; head++) {
                int index = (int) (head & STRIPE_MASK);
                E e = slots.get(index);
                if (e == null) {
                    break; // claimed but not yet published; the next drain takes it
                }
                slots.lazySet(index, null);
                consumer.accept(e);
            }
            readCount.lazySet(head);
        }
    }
}
