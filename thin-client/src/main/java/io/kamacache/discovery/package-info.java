/**
 * How a node learns the other members of its cluster. A {@link io.kamacache.discovery.Membership}
 * reports views, each the complete set of member addresses including the node itself, and the
 * node rebuilds its hash ring from every view. {@code none} is a single instance that opens no
 * port; {@code static} is a fixed list of peers given in the configuration, which never changes;
 * in etcd each node registers under a lease it keeps alive (the provider's
 * {@code EtcdRegistration}) and everyone watches the registrations
 * ({@link io.kamacache.discovery.EtcdMembership}), so nodes that start, leave or crash (their
 * lease expires) change every view within about a lease TTL, and a view stays in force
 * while etcd is unreachable. A client that owns nothing observes the same views without
 * joining: it never registers and is never a member, and this jar holds no code that would.
 */
package io.kamacache.discovery;
