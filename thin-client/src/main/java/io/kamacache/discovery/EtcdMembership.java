package io.kamacache.discovery;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.kamacache.config.NodeSettings;

import javax.net.ssl.SSLException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Membership kept in etcd, as a client sees it: the nodes register
 * {@code /kamacache/<service>/nodes/<address>} under leases they keep alive, and this
 * watches the prefix to learn them.
 *
 * <p>{@link #observe} reads the prefix and reports the first view before it returns; then
 * every change under the prefix yields a new complete view. Views are reported one at a
 * time, in order, on this membership's own thread. When the watch fails (etcd went away)
 * the last view stays in force while the membership reads and watches again with backoff
 * (200 ms doubling to 5 s). Every call to etcd has a deadline of at most the connect
 * timeout.
 *
 * <p>Joining, which registers the node and keeps its lease alive, is the provider's
 * ({@code io.kamacache.discovery.EtcdRegistration} in kamacache-provider, built on this
 * class): a client never registers, so its jar holds no code that does.
 */
public class EtcdMembership implements Membership {

    private static final System.Logger LOG = System.getLogger(EtcdMembership.class.getName());
    private static final Duration MIN_LEASE_TTL = Duration.ofSeconds(2);
    private static final long FIRST_RETRY_MILLIS = 200;
    private static final long MAX_RETRY_MILLIS = 5_000;

    private final List<String> endpoints;
    private final String serviceName;
    private final Duration leaseTtl;
    private final Duration connectTimeout;
    private final ClientBuilder clientBuilder;
    private final String prefix;

    // Set by join; then touched only on the membership thread, except by close().
    private volatile boolean closed;
    private String self;
    private Consumer<Set<String>> views;
    private Client client;
    private ScheduledThreadPoolExecutor thread;
    private Watch.Watcher watcher;
    private long watchGeneration;
    private final Map<String, String> members = new HashMap<>();
    private Set<String> lastView;
    private long retryMillis = FIRST_RETRY_MILLIS;

    /** A membership with the builder's settings; it connects when started. */
    protected EtcdMembership(Builder b) {
        if (b.endpoints == null) {
            throw new IllegalStateException("etcd endpoints are required, such as http://127.0.0.1:2379");
        }
        this.endpoints = List.copyOf(b.endpoints);
        this.serviceName = b.serviceName;
        this.leaseTtl = b.leaseTtl;
        this.connectTimeout = b.connectTimeout;
        this.prefix = "/kamacache/" + serviceName + "/nodes/";
        this.clientBuilder = Client.builder()
                .endpoints(endpoints.stream().map(URI::create).toArray(URI[]::new))
                .connectTimeout(connectTimeout);
        if (b.user != null) {
            clientBuilder.user(bytes(b.user)).password(bytes(b.password));
        }
        if (b.caCert != null) {
            try {
                clientBuilder.sslContext(ssl -> {
                    ssl.trustManager(b.caCert.toFile());
                    if (b.clientCert != null) {
                        ssl.keyManager(b.clientCert.toFile(), b.clientKey.toFile());
                    }
                });
            } catch (SSLException | IllegalArgumentException e) {
                throw new IllegalArgumentException("cannot use the TLS files " + b.caCert
                        + (b.clientCert == null ? "" : ", " + b.clientCert + ", " + b.clientKey) + ": " + e.getMessage(), e);
            }
        }
    }

    /** A builder; {@link Builder#endpoints} is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The key this membership registers {@code address} under. */
    public String keyOf(String address) {
        return prefix + address;
    }

    /**
     * Refused: a client only watches.
     *
     * @throws UnsupportedOperationException always, naming the class that joins
     */
    @Override
    public void join(String self, Consumer<Set<String>> views) {
        throw new UnsupportedOperationException("joining " + this + " as " + self + " takes a node: "
                + "io.kamacache.discovery.EtcdRegistration, in kamacache-provider");
    }

    /** Watches the members without registering: the views hold only the registered nodes. */
    @Override
    public void observe(Consumer<Set<String>> views) {
        start(null, views);
    }

    /**
     * Starts as {@code self} (views then always contain it), or only watches when it is null:
     * on this membership's thread {@link #beforeFirstRead()}, the first read and view, then
     * {@link #afterFirstRead()}; returns once they are done.
     *
     * @throws MembershipException when etcd does not answer in time; the message names it
     */
    protected final void start(String self, Consumer<Set<String>> views) {
        Objects.requireNonNull(views, "views");
        String role = self == null ? "observer" : self;
        synchronized (this) {
            if (closed) {
                throw new IllegalStateException("this etcd membership was closed; build a new one");
            }
            if (thread != null) {
                throw new IllegalStateException("already started, as " + this.self);
            }
            this.self = self;
            this.views = views;
            this.client = clientBuilder.build();
            this.thread = new ScheduledThreadPoolExecutor(1, task -> {
                Thread t = new Thread(task, "kamacache-etcd-" + role);
                t.setDaemon(true);
                return t;
            });
            thread.setRemoveOnCancelPolicy(true);
        }
        Future<?> first = thread.submit(() -> {
            beforeFirstRead();
            resync();
            afterFirstRead();
        });
        String doing = self == null ? "watch " + this : "join " + this + " as " + self;
        try {
            first.get(connectTimeout.toMillis() * 3 + 1_000, TimeUnit.MILLISECONDS); // each step has its own deadline
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            close();
            throw new MembershipException("could not " + doing + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new MembershipException("interrupted while trying to " + doing, e);
        }
    }

    /** On the membership thread, before the first read: a node registers here. */
    protected void beforeFirstRead() {
    }

    /** On the membership thread, after the first view was reported: a node starts renewing its lease here. */
    protected void afterFirstRead() {
    }

    /** Reads every member, reports the view, and watches from the revision after the read. */
    protected final void resync() {
        GetResponse read = call("read " + prefix, client.getKVClient().get(bytes(prefix),
                GetOption.builder().isPrefix(true).build()));
        members.clear();
        for (KeyValue kv : read.getKvs()) {
            members.put(string(kv.getKey()), string(kv.getValue()));
        }
        report();
        if (watcher != null) {
            watcher.close();
        }
        long generation = ++watchGeneration;
        WatchOption option = WatchOption.builder().isPrefix(true)
                .withRevision(read.getHeader().getRevision() + 1).build();
        watcher = client.getWatchClient().watch(bytes(prefix), option, Watch.listener(
                response -> onThread(() -> onWatch(generation, response)),
                error -> onThread(() -> onWatchError(generation, error))));
    }

    private void onWatch(long generation, WatchResponse response) {
        if (generation != watchGeneration) {
            return; // a stale watch, already replaced
        }
        for (WatchEvent event : response.getEvents()) {
            String key = string(event.getKeyValue().getKey());
            if (event.getEventType() == WatchEvent.EventType.PUT) {
                members.put(key, string(event.getKeyValue().getValue()));
            } else if (event.getEventType() == WatchEvent.EventType.DELETE) {
                members.remove(key);
            }
        }
        report();
    }

    private void onWatchError(long generation, Throwable error) {
        if (generation != watchGeneration) {
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "watch of " + prefix + " at " + endpoints + " failed, reading again: "
                + describe(error));
        retry(this::resync);
    }

    /** Reports the members plus this node, if that differs from the last view reported. */
    private void report() {
        Set<String> view = new HashSet<>();
        if (self != null) {
            view.add(self);
        }
        for (String address : members.values()) {
            try {
                view.add(NodeSettings.checkAddress(address));
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.WARNING, "ignoring a member registered under " + prefix + ": " + e.getMessage());
            }
        }
        if (view.equals(lastView) || closed) {
            return;
        }
        lastView = Set.copyOf(view);
        try {
            views.accept(lastView);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "the view listener of " + (self == null ? "an observer" : self)
                    + " failed on " + lastView, e);
        }
    }

    /** Runs {@code step} now on the membership thread, and again with backoff until it succeeds. */
    protected final void retry(Runnable step) {
        schedule(() -> {
            try {
                step.run();
                retryMillis = FIRST_RETRY_MILLIS;
            } catch (RuntimeException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.DEBUG, "etcd step failed, retrying: " + describe(e));
                    long delay = nextRetryMillis();
                    schedule(() -> retry(step), delay);
                }
            }
        }, 0);
    }

    /** The next pause of a backoff: 200 ms, doubling up to 5 s until {@link #backoffDone()}. */
    protected final long nextRetryMillis() {
        long delay = retryMillis;
        retryMillis = Math.min(retryMillis * 2, MAX_RETRY_MILLIS);
        return delay;
    }

    /** Starts over the backoff after a success. */
    protected final void backoffDone() {
        retryMillis = FIRST_RETRY_MILLIS;
    }

    /** Runs {@code task} on the membership thread after a delay, unless closed. */
    protected final void schedule(Runnable task, long delayMillis) {
        if (!closed) {
            thread.schedule(task, delayMillis, TimeUnit.MILLISECONDS);
        }
    }

    private void onThread(Runnable task) {
        try {
            thread.execute(() -> {
                if (!closed) {
                    task.run();
                }
            });
        } catch (RuntimeException e) {
            // closed: nothing more is reported
        }
    }

    /** Waits for an etcd call at most the connect timeout; cancels it and fails otherwise. */
    protected final <T> T call(String what, CompletableFuture<T> future) {
        return call(what, future, connectTimeout);
    }

    /** Waits for an etcd call at most {@code timeout}; cancels it and fails otherwise. */
    protected final <T> T call(String what, CompletableFuture<T> future, Duration timeout) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new MembershipException("etcd at " + endpoints + " did not answer within " + timeout.toMillis()
                    + " ms (" + what + ")", e);
        } catch (ExecutionException e) {
            throw new MembershipException("etcd at " + endpoints + " failed to " + what + ": " + describe(e.getCause()),
                    e.getCause());
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new MembershipException("interrupted while waiting for etcd to " + what, e);
        }
    }

    /**
     * Stops watching and reporting ({@link #leave()} on the way, for a node), then closes the
     * etcd client; a step in progress ends within its deadline first.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (thread == null) {
            return;
        }
        thread.shutdownNow();
        try {
            thread.awaitTermination(connectTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (watcher != null) {
                watcher.close();
            }
            leave();
        } finally {
            client.close();
        }
    }

    /** On closing, with the etcd client still open and the membership thread stopped: a node deregisters here. */
    protected void leave() {
    }

    /** The etcd client; open from {@link #start} to {@link #close}. */
    protected final Client client() {
        return client;
    }

    /** The node this membership started as, or null for an observer. */
    protected final String self() {
        return self;
    }

    /** The last view reported, or null before the first. */
    protected final Set<String> lastView() {
        return lastView;
    }

    /** How long a node's key outlives its last renewal. */
    protected final Duration leaseTtl() {
        return leaseTtl;
    }

    /** The deadline of every call to etcd. */
    protected final Duration connectTimeout() {
        return connectTimeout;
    }

    @Override
    public String toString() {
        return "etcd " + endpoints + " service '" + serviceName + "'";
    }

    /** The failure and its root cause: etcd's own words (such as "authentication failed") are often only there. */
    protected static String describe(Throwable e) {
        if (e instanceof MembershipException) {
            return e.getMessage();
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
        return root == e || root.getMessage() == null || text.contains(root.getMessage()) ? text
                : text + " (" + root.getMessage() + ")";
    }

    protected static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    private static String string(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** Settings of an {@link EtcdMembership}; only the endpoints are required. */
    public static final class Builder {
        private List<String> endpoints;
        private String serviceName = "kama-cache";
        private Duration leaseTtl = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(5);
        private String user;
        private String password;
        private Path caCert;
        private Path clientCert;
        private Path clientKey;

        private Builder() {
        }

        /** etcd's client URLs, such as {@code http://10.0.0.5:2379}; {@code https://} with {@link #tls}. */
        public Builder endpoints(List<String> endpoints) {
            Objects.requireNonNull(endpoints, "endpoints");
            if (endpoints.isEmpty()) {
                throw new IllegalArgumentException("at least one etcd endpoint is required, such as http://127.0.0.1:2379");
            }
            for (String endpoint : endpoints) {
                URI uri;
                try {
                    uri = URI.create(Objects.requireNonNull(endpoint, "endpoint"));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("not an etcd endpoint URL: '" + endpoint + "'", e);
                }
                if (!("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) || uri.getHost() == null
                        || uri.getPort() < 0) {
                    throw new IllegalArgumentException("expected an etcd endpoint such as http://127.0.0.1:2379, got '"
                            + endpoint + "'");
                }
            }
            this.endpoints = List.copyOf(endpoints);
            return this;
        }

        /** The cluster's name in etcd, shared by all its nodes; default {@code kama-cache}. */
        public Builder serviceName(String serviceName) {
            Objects.requireNonNull(serviceName, "serviceName");
            if (serviceName.isEmpty() || serviceName.contains("/")) {
                throw new IllegalArgumentException("service name must be non-empty and without '/', got '" + serviceName + "'");
            }
            this.serviceName = serviceName;
            return this;
        }

        /**
         * How long a node stays listed after it stops renewing (a crash); at least 2 s,
         * default 10 s. Whole seconds: etcd counts lease time in seconds.
         */
        public Builder leaseTtl(Duration ttl) {
            Objects.requireNonNull(ttl, "leaseTtl");
            if (ttl.compareTo(MIN_LEASE_TTL) < 0) {
                throw new IllegalArgumentException("lease TTL must be at least 2 s, got " + ttl.toMillis() + " ms");
            }
            this.leaseTtl = Duration.ofSeconds(ttl.toSeconds());
            return this;
        }

        /** The deadline of every call to etcd, joining included; default 5 s. */
        public Builder connectTimeout(Duration timeout) {
            Objects.requireNonNull(timeout, "connectTimeout");
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("connect timeout must be positive, got " + timeout);
            }
            this.connectTimeout = timeout;
            return this;
        }

        /** Authenticates to an etcd with auth enabled. */
        public Builder credentials(String user, String password) {
            this.user = Objects.requireNonNull(user, "user");
            this.password = Objects.requireNonNull(password, "password");
            return this;
        }

        /** Trusts this CA certificate (PEM) for {@code https://} endpoints. */
        public Builder tls(Path caCertPem) {
            this.caCert = Objects.requireNonNull(caCertPem, "caCertPem");
            this.clientCert = null;
            this.clientKey = null;
            return this;
        }

        /** Trusts this CA and presents this client certificate and PKCS#8 key (all PEM): mutual TLS. */
        public Builder tls(Path caCertPem, Path clientCertPem, Path clientKeyPem) {
            this.caCert = Objects.requireNonNull(caCertPem, "caCertPem");
            this.clientCert = Objects.requireNonNull(clientCertPem, "clientCertPem");
            this.clientKey = Objects.requireNonNull(clientKeyPem, "clientKeyPem");
            return this;
        }

        /**
         * A membership with these settings; it connects on {@link EtcdMembership#observe}.
         *
         * @throws IllegalStateException when no endpoints were given
         * @throws IllegalArgumentException when the TLS files cannot be used
         */
        public EtcdMembership build() {
            return new EtcdMembership(this);
        }
    }
}
