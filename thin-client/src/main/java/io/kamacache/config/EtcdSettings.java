package io.kamacache.config;

import io.kamacache.discovery.EtcdMembership;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Where nodes register and clients and nodes find the members in etcd (see {@link EtcdMembership}).
 *
 * @param endpoints      etcd client URLs, such as {@code http://10.0.0.5:2379}
 * @param service        the service the node registers under; nodes of one service form one cluster
 * @param leaseTtl       how long a crashed node stays listed, at least 2 s
 * @param connectTimeout how long to wait for etcd, at start and on every call
 * @param username       null for no authentication
 * @param password       the user's password; never printed
 * @param caCert         PEM file of the CA that signed etcd's certificate, null for plain http
 * @param clientCert     PEM file of this node's client certificate for mutual TLS, or null
 * @param clientKey      PEM file of its private key, or null
 */
public record EtcdSettings(List<String> endpoints, String service, Duration leaseTtl, Duration connectTimeout,
                           String username, String password, Path caCert, Path clientCert, Path clientKey) {

    /** @throws IllegalArgumentException naming the bad setting */
    public EtcdSettings {
        endpoints = List.copyOf(endpoints);
        Objects.requireNonNull(service, "service");
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("give both username and password, or neither");
        }
        if ((clientCert == null) != (clientKey == null)) {
            throw new IllegalArgumentException("give both clientCert and clientKey, or neither");
        }
        if (clientCert != null && caCert == null) {
            throw new IllegalArgumentException("a client certificate needs caCert too");
        }
        // Fields are assigned after this body: check through the parameters, as the membership will.
        settings(endpoints, service, leaseTtl, connectTimeout, username, password, caCert, clientCert, clientKey);
    }

    /** A membership that watches etcd with these settings (a node joins with them through the provider). */
    public EtcdMembership membership() {
        return settings().build();
    }

    /** These settings as a membership builder's. */
    public EtcdMembership.Builder settings() {
        return settings(endpoints, service, leaseTtl, connectTimeout, username, password, caCert, clientCert, clientKey);
    }

    private static EtcdMembership.Builder settings(List<String> endpoints, String service, Duration leaseTtl,
                                                  Duration connectTimeout, String username, String password,
                                                  Path caCert, Path clientCert, Path clientKey) {
        EtcdMembership.Builder builder = EtcdMembership.builder()
                .endpoints(endpoints)
                .serviceName(service)
                .leaseTtl(leaseTtl)
                .connectTimeout(connectTimeout);
        if (username != null) {
            builder.credentials(username, password);
        }
        if (clientCert != null) {
            builder.tls(caCert, clientCert, clientKey);
        } else if (caCert != null) {
            builder.tls(caCert);
        }
        return builder;
    }

    @Override
    public String toString() {
        return "EtcdSettings[endpoints=" + endpoints + ", service=" + service + ", leaseTtl=" + leaseTtl
                + ", connectTimeout=" + connectTimeout + ", username=" + username
                + (password == null ? "" : ", password=***") + ", caCert=" + caCert + ", clientCert=" + clientCert + ']';
    }
}
