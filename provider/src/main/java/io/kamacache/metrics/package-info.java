/**
 * A node's metrics, kept in one dropwizard {@code MetricRegistry} that exporters read.
 *
 * <p>Each group shows its counters as gauges named {@code kamacache.group.<group>.<counter>}:
 * the gauges read the very counters the group's {@code stats()} and the JCache statistics
 * read, so every view agrees and nothing is counted twice. The calls a node serves are
 * timed by method as dropwizard timers, {@code kamacache.rpc.served.<method>}: each gives
 * a rate and a latency distribution. A JCache operation that arrives on an operation
 * stream is timed as its own method ({@code jcache.get}, {@code jcache.put_all}, ...), from
 * its arrival to its reply; another gRPC call by its full method name.
 */
package io.kamacache.metrics;
