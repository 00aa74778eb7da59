package io.kamacache.remote;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The cluster's shared secret on gRPC calls: callers send it as {@code authorization: Bearer
 * <token>}, servers refuse a call without it, or with another, as UNAUTHENTICATED before
 * any handler runs. The comparison takes the same time however much of a guess is right,
 * and the token appears in no message.
 */
public final class Tokens {

    static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    private static final String BEARER = "Bearer ";

    private Tokens() {
    }

    /** Adds the token to every call. */
    public static ClientInterceptor sending(String token) {
        String value = BEARER + token;
        return new ClientInterceptor() {
            @Override
            public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                                                                       CallOptions options, Channel next) {
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<RespT> listener, Metadata headers) {
                        headers.put(AUTHORIZATION, value);
                        super.start(listener, headers);
                    }
                };
            }
        };
    }

    /** Refuses every call that does not carry {@code token}. */
    public static ServerInterceptor requiring(String token) {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                                                                         ServerCallHandler<ReqT, RespT> next) {
                if (!matches(headers.get(AUTHORIZATION), token)) {
                    call.close(Status.UNAUTHENTICATED.withDescription(headers.get(AUTHORIZATION) == null
                            ? "this cluster needs a token (cluster.token) and the call carried none"
                            : "the call's token is not this cluster's (cluster.token)"), new Metadata());
                    return new ServerCall.Listener<>() {
                    };
                }
                return next.startCall(call, headers);
            }
        };
    }

    /** Whether an {@code Authorization} header's value is {@code Bearer <token>}. */
    public static boolean matches(String authorization, String token) {
        byte[] expected = (BEARER + token).getBytes(StandardCharsets.US_ASCII);
        byte[] given = authorization == null ? new byte[0] : authorization.getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, given);
    }
}
