package io.kamacache.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.LockFreeExponentiallyDecayingReservoir;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import io.kamacache.Group;
import io.kamacache.GroupStats;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToDoubleFunction;

/**
 * One node's metric registry: its groups' counters and the timers of the calls it served
 * (see the package documentation for the names). Thread-safe.
 */
public final class NodeMetrics {

    /** What every group metric's name starts with; the group's name and the metric's follow. */
    public static final String GROUP_PREFIX = "kamacache.group.";
    /** What every served-call timer's name starts with; the method's name follows. */
    public static final String SERVED_PREFIX = "kamacache.rpc.served.";

    private static final double NANOS_PER_SECOND = 1e9;

    /** What each group shows, in this order. */
    public static final List<GroupMetric> GROUP_METRICS = List.of(
            new GroupMetric("gets", true, "gets of the group's keys on this node", GroupStats::gets),
            new GroupMetric("hits", true, "gets answered from this node's store", GroupStats::hits),
            new GroupMetric("misses", true, "gets this node's store could not answer", GroupStats::misses),
            new GroupMetric("hit_ratio", false, "hits / gets on this node since the group was created",
                    GroupStats::hitRatio),
            new GroupMetric("loads", true, "loader calls on this node", GroupStats::loads),
            new GroupMetric("load_seconds", true, "the time loader calls took on this node",
                    stats -> stats.loadNanos() / NANOS_PER_SECOND),
            new GroupMetric("load_errors", true, "loader calls that threw", GroupStats::loadErrors),
            new GroupMetric("evictions", true, "entries the eviction policy removed", GroupStats::evictions),
            new GroupMetric("expirations", true, "entries removed because they expired", GroupStats::expirations),
            new GroupMetric("entries", false, "entries this node holds", GroupStats::entries),
            new GroupMetric("bytes", false, "the weight of the entries this node holds, as counted against maxBytes",
                    GroupStats::bytes),
            new GroupMetric("remote_sent", true, "requests sent to other members for keys they own",
                    GroupStats::remoteSent),
            new GroupMetric("remote_served", true, "requests of other members answered for keys this node owns",
                    GroupStats::remoteServed));

    private final MetricRegistry registry = new MetricRegistry();
    private final Map<String, Timer> served = new ConcurrentHashMap<>();

    /**
     * One of a group's metrics.
     *
     * @param name    the last part of its registry name
     * @param counter whether it only ever grows (a count or a total), rather than going up and down
     * @param help    what it measures
     * @param read    its value in the group's statistics
     */
    public record GroupMetric(String name, boolean counter, String help, ToDoubleFunction<GroupStats> read) {
    }

    /** The registry exporters read; it holds only this node's metrics. */
    public MetricRegistry registry() {
        return registry;
    }

    /** The timer of the calls served for {@code method}. */
    public Timer served(String method) {
        Timer timer = served.get(method); // the common case, without computeIfAbsent's lock
        return timer != null ? timer : served.computeIfAbsent(method, m -> registry.timer(SERVED_PREFIX + m,
                () -> new Timer(LockFreeExponentiallyDecayingReservoir.builder().build())));
    }

    /** Shows {@code group}'s metrics, in place of those of an earlier group of its name. */
    public void addGroup(Group group) {
        removeGroup(group.name());
        for (GroupMetric metric : GROUP_METRICS) {
            registry.register(name(group.name(), metric), (Gauge<Double>) () -> metric.read.applyAsDouble(group.stats()));
        }
    }

    /** Stops showing the metrics of the group of that name. */
    public void removeGroup(String group) {
        GROUP_METRICS.forEach(metric -> registry.remove(name(group, metric)));
    }

    /** The registry name of a group's metric. */
    public static String name(String group, GroupMetric metric) {
        return GROUP_PREFIX + group + '.' + metric.name;
    }
}
