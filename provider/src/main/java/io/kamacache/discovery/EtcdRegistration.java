package io.kamacache.discovery;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdException;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.options.PutOption;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.kamacache.config.ClusterSettings;
import io.kamacache.config.NodeSettings;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A node's membership in etcd: it registers {@code /kamacache/<service>/nodes/<address>}
 * under a lease it keeps alive, and watches the prefix as {@link EtcdMembership} does.
 *
 * <p>{@link #join} registers, reads the prefix and reports the first view before it
 * returns; every view contains the node itself. The lease is renewed every third of its
 * TTL. When etcd does not answer a renewal the last view stays in force while the node
 * retries with backoff, and reads the members again once etcd answers (the watch may have
 * missed changes); when the lease is lost (expired or revoked) the node registers again
 * under a new lease, then reads and watches again. {@link #close} deletes the key and
 * revokes the lease, each within the connect timeout; a lease left behind expires on its own.
 */
public final class EtcdRegistration extends EtcdMembership {

    private static final System.Logger LOG = System.getLogger(EtcdRegistration.class.getName());

    // Touched only on the membership thread, and by leave() once that thread has stopped.
    private long leaseId;
    private boolean disconnected;
    private volatile Runnable dropped = () -> {
    };

    private EtcdRegistration(Builder settings) {
        super(settings);
    }

    /**
     * A node's membership with these etcd settings; it connects on {@link #join}.
     *
     * @throws IllegalStateException when no endpoints were given
     * @throws IllegalArgumentException when the TLS files cannot be used
     */
    public static EtcdRegistration of(EtcdMembership.Builder settings) {
        return new EtcdRegistration(settings);
    }

    /** The membership a node of these cluster settings joins: etcd, the static peers, or none. */
    public static Membership of(ClusterSettings cluster) {
        return cluster.etcd() == null ? cluster.membership() : of(cluster.etcd().settings());
    }

    @Override
    public void join(String self, Consumer<Set<String>> views) {
        start(NodeSettings.checkAddress(self), views);
    }

    @Override
    public void join(String self, Consumer<Set<String>> views, Runnable dropped) {
        this.dropped = Objects.requireNonNull(dropped, "dropped");
        join(self, views);
    }

    @Override
    protected void beforeFirstRead() {
        register();
    }

    @Override
    protected void afterFirstRead() {
        scheduleKeepAlive();
    }

    /** Grants a lease and puts this node's key under it. */
    private void register() {
        long id = call("grant a lease", client().getLeaseClient().grant(leaseTtl().toSeconds())).getID();
        call("register " + keyOf(self()), client().getKVClient().put(bytes(keyOf(self())), bytes(self()),
                PutOption.builder().withLeaseId(id).build()));
        leaseId = id;
    }

    private void scheduleKeepAlive() {
        schedule(this::keepAlive, Math.max(leaseTtl().toMillis() / 3, 100));
    }

    /**
     * Renews the lease. A lease etcd no longer knows means registering again; an etcd that
     * does not answer means retrying with backoff, keeping the last view meanwhile, and
     * reading again once it answers.
     */
    private void keepAlive() {
        LeaseKeepAliveResponse renewed;
        try {
            renewed = call("renew lease " + Long.toHexString(leaseId), client().getLeaseClient().keepAliveOnce(leaseId),
                    keepAliveTimeout());
        } catch (RuntimeException e) {
            if (isLeaseGone(e)) {
                onLeaseLost(describe(e));
            } else {
                onUnreachable(e);
            }
            return;
        }
        if (renewed.getTTL() <= 0) {
            onLeaseLost("lease " + Long.toHexString(leaseId) + " expired");
            return;
        }
        if (disconnected) {
            LOG.log(System.Logger.Level.INFO, this + " answers again; reading the members");
            try {
                resync();
            } catch (RuntimeException e) {
                onUnreachable(e);
                return;
            }
            disconnected = false;
        }
        backoffDone();
        scheduleKeepAlive();
    }

    private void onLeaseLost(String why) {
        LOG.log(System.Logger.Level.WARNING, self() + " lost its etcd lease, registering again: " + why);
        try {
            dropped.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, self() + ": handling the lost lease failed: " + e, e);
        }
        retry(this::reRegister);
    }

    private void onUnreachable(RuntimeException e) {
        if (!disconnected) {
            LOG.log(System.Logger.Level.WARNING, this + " does not answer; keeping the view " + lastView()
                    + " and retrying: " + describe(e));
        }
        disconnected = true;
        schedule(this::keepAlive, nextRetryMillis());
    }

    private void reRegister() {
        register();
        resync();
        disconnected = false;
        backoffDone();
        scheduleKeepAlive();
    }

    private Duration keepAliveTimeout() {
        Duration third = leaseTtl().dividedBy(3);
        return third.compareTo(connectTimeout()) < 0 ? third : connectTimeout();
    }

    private static boolean isLeaseGone(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof EtcdException etcd && etcd.getErrorCode() == ErrorCode.NOT_FOUND) {
                return true;
            }
            if (t instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return true;
            }
            if (t.getMessage() != null && t.getMessage().contains("lease not found")) {
                return true;
            }
        }
        return false;
    }

    /** Deletes this node's key and revokes its lease. */
    @Override
    protected void leave() {
        if (leaseId == 0) {
            return;
        }
        try {
            call("delete " + keyOf(self()), client().getKVClient().delete(bytes(keyOf(self()))));
            call("revoke lease " + Long.toHexString(leaseId), client().getLeaseClient().revoke(leaseId));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, self() + " could not deregister from etcd; its key expires with its lease: "
                    + describe(e));
        }
    }
}
