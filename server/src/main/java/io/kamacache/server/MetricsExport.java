package io.kamacache.server;

import com.codahale.metrics.Snapshot;
import com.codahale.metrics.Timer;
import com.codahale.metrics.jmx.JmxReporter;
import com.codahale.metrics.jmx.ObjectNameFactory;
import io.kamacache.Group;
import io.kamacache.GroupStats;
import io.kamacache.Node;
import io.kamacache.metrics.NodeMetrics;
import io.kamacache.metrics.NodeMetrics.GroupMetric;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricMetadata;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Quantile;
import io.prometheus.metrics.model.snapshots.Quantiles;
import io.prometheus.metrics.model.snapshots.SummarySnapshot;
import io.prometheus.metrics.model.snapshots.SummarySnapshot.SummaryDataPointSnapshot;

import javax.management.MalformedObjectNameException;
import javax.management.ObjectName;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;

/**
 * A node's metrics ({@link NodeMetrics}) where operators read them: as MBeans in the
 * platform MBeanServer, domain {@value #JMX_DOMAIN}, for as long as this is open, and in
 * Prometheus' text format on demand.
 *
 * <p>In Prometheus each group metric is one family labelled by {@code group}
 * ({@code kamacache_group_hits_total{group="scores"}}), and the served-call timers one
 * summary in seconds labelled by {@code method} ({@code kamacache_rpc_served_seconds}).
 * Both are read from the same counters as the MBeans and the JCache statistics.
 */
final class MetricsExport implements AutoCloseable {

    /** The JMX domain of the node's metric MBeans. */
    static final String JMX_DOMAIN = "kamacache";
    /** The content type of {@link #writePrometheus}. */
    static final String PROMETHEUS_CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private static final double NANOS_PER_SECOND = 1e9;
    private static final double[] QUANTILES = {0.5, 0.9, 0.99, 0.999};
    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final Node node;
    private final JmxReporter jmx;

    private MetricsExport(Node node, JmxReporter jmx) {
        this.node = node;
        this.jmx = jmx;
    }

    /** Registers {@code node}'s metrics as MBeans until {@link #close()}. */
    static MetricsExport start(Node node) {
        JmxReporter jmx = JmxReporter.forRegistry(node.metrics().registry()).inDomain(JMX_DOMAIN)
                .createsObjectNamesWith(objectNames(node.selfAddress())).build();
        jmx.start();
        return new MetricsExport(node, jmx);
    }

    /**
     * Names that say what each MBean is, and whose node it is (nodes can share a JVM):
     * {@code kamacache:type=Group,node="<address>",group="<group>",name=<metric>} and
     * {@code kamacache:type=Served,node="<address>",method="<method>"}.
     */
    static ObjectNameFactory objectNames(String node) {
        return (type, domain, name) -> {
            Hashtable<String, String> properties = new Hashtable<>();
            properties.put("node", ObjectName.quote(node));
            if (name.startsWith(NodeMetrics.GROUP_PREFIX)) {
                int dot = name.lastIndexOf('.');
                properties.put("type", "Group");
                properties.put("group", ObjectName.quote(name.substring(NodeMetrics.GROUP_PREFIX.length(), dot)));
                properties.put("name", name.substring(dot + 1));
            } else if (name.startsWith(NodeMetrics.SERVED_PREFIX)) {
                properties.put("type", "Served");
                properties.put("method", ObjectName.quote(name.substring(NodeMetrics.SERVED_PREFIX.length())));
            } else {
                properties.put("type", type);
                properties.put("name", ObjectName.quote(name));
            }
            try {
                return new ObjectName(domain, properties);
            } catch (MalformedObjectNameException e) {
                throw new IllegalArgumentException("no MBean name for metric " + name + ": " + e.getMessage(), e);
            }
        };
    }

    /** Writes the node's metrics in Prometheus' text exposition format (version 0.0.4). */
    void writePrometheus(OutputStream out) throws IOException {
        List<MetricSnapshot> families = new ArrayList<>();
        Collection<Group> groups = node.groups();
        List<Map.Entry<String, GroupStats>> stats = groups.stream()
                .map(group -> Map.entry(group.name(), group.stats())) // each group's counters read together
                .toList();
        for (GroupMetric metric : NodeMetrics.GROUP_METRICS) {
            String name = "kamacache_group_" + metric.name();
            if (metric.counter()) {
                families.add(new CounterSnapshot(new MetricMetadata(name, metric.help()), stats.stream()
                        .map(s -> CounterDataPointSnapshot.builder().labels(Labels.of("group", s.getKey()))
                                .value(metric.read().applyAsDouble(s.getValue())).build())
                        .toList()));
            } else {
                families.add(new GaugeSnapshot(new MetricMetadata(name, metric.help()), stats.stream()
                        .map(s -> GaugeDataPointSnapshot.builder().labels(Labels.of("group", s.getKey()))
                                .value(metric.read().applyAsDouble(s.getValue())).build())
                        .toList()));
            }
        }
        List<SummaryDataPointSnapshot> served = new ArrayList<>();
        node.metrics().registry().getTimers((name, m) -> name.startsWith(NodeMetrics.SERVED_PREFIX))
                .forEach((name, timer) -> served.add(summary(name.substring(NodeMetrics.SERVED_PREFIX.length()), timer)));
        families.add(new SummarySnapshot(new MetricMetadata("kamacache_rpc_served_seconds",
                "calls this node served, by method, from arrival to reply (quantiles of recent calls)"), served));
        WRITER.write(out, new MetricSnapshots(families));
    }

    private static SummaryDataPointSnapshot summary(String method, Timer timer) {
        Snapshot snapshot = timer.getSnapshot();
        List<Quantile> quantiles = new ArrayList<>();
        for (double q : QUANTILES) {
            quantiles.add(new Quantile(q, snapshot.getValue(q) / NANOS_PER_SECOND));
        }
        return SummaryDataPointSnapshot.builder().labels(Labels.of("method", method)).count(timer.getCount())
                .quantiles(Quantiles.of(quantiles)).build();
    }

    @Override
    public void close() {
        jmx.close();
    }
}
