/**
 * Calls to other nodes: {@link io.kamacache.remote.PeerChannels} keeps one reused gRPC
 * channel per peer and hands out stubs whose deadline bounds every call;
 * {@link io.kamacache.remote.Protocol} stamps each request with the protocol version and
 * checks the version of what arrives; {@link io.kamacache.remote.ReceivedBytes} takes the
 * bytes of a received field without copying them again; {@link io.kamacache.remote.MessagePieces}
 * cuts what does not fit in one message (a large batch, its reply, a list of events) into
 * pieces that do; {@link io.kamacache.remote.OneAnswer} is the future of a call that answers once.
 */
package io.kamacache.remote;
