/**
 * How a node learns the other members of its cluster. A {@link io.kamacache.discovery.Membership}
 * reports views, each the complete set of member addresses including the node itself, and the
 * node rebuilds its hash ring from every view. {@code none} is a single instance that opens no
 * port; {@code static} is a fixed list of peers given in the configuration, which never changes;
 * {@link io.kamacache.discovery.EtcdMembership} registers each node in etcd under a lease it
 * keeps alive and watches the registrations, so nodes that start, leave or crash (their lease
 * expires) change every node's view within about a lease TTL, and a node keeps its last view
 * while etcd is unreachable. A client that owns nothing observes the same views without
 * joining: it never registers and is never a member.
 */
package io.kamacache.discovery;
