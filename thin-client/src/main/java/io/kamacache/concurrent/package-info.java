/**
 * Concurrency shared by the node and the JCache face: a
 * {@link io.kamacache.concurrent.SerialExecutor} runs tasks one at a time, in order, on a
 * shared pool, so that a listener's events or a call's messages keep their order without a
 * thread each.
 */
package io.kamacache.concurrent;
