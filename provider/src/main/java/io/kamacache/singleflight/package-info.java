/**
 * Load coalescing ("singleflight"): concurrent requests for one missing key share one
 * load. The first caller registers a future for the key and starts the load on an
 * executor; later callers find the future and wait on it; the future leaves the table once
 * the load finished, so the next miss loads afresh. Because the load runs on the executor
 * rather than on the first caller's thread, a caller that stops waiting (timeout,
 * interrupt, cancellation of its own future) abandons only its own wait: the load goes on
 * and every other waiter still receives its result. A load that asks for its own key, on
 * the thread that runs it, is refused rather than left to wait for itself.
 */
package io.kamacache.singleflight;
