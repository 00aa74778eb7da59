/**
 * Calls to other nodes: {@link io.kamacache.remote.PeerChannels} keeps one reused gRPC
 * channel per peer and hands out stubs whose deadline bounds every call;
 * {@link io.kamacache.remote.Protocol} stamps each request with the protocol version and
 * checks the version of what arrives.
 */
package io.kamacache.remote;
