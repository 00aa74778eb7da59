/**
 * Entry listeners: an operation publishes its events while it holds the key, each listener
 * receives them through its own ordered queue, and the operation waits for the synchronous
 * listeners once the key is released. See {@link io.kamacache.jcache.event.EventDispatcher}.
 */
package io.kamacache.jcache.event;
