/**
 * The server program: a cache node started from a YAML file (the same model as the JCache
 * provider's, {@link io.kamacache.config.KamaConfig}) with environment variables over it.
 * It serves peers and clients on the gRPC port of {@code node.address}, registers in etcd
 * (or joins its static peers, or stands alone), adds the jars of its {@code lib} directory
 * to the class path that caches created elsewhere build their loaders, writers, expiry
 * policies and entry processors from, and on SIGTERM or SIGINT hands its entries to the
 * remaining nodes, deregisters and exits with status 0.
 */
package io.kamacache.server;
