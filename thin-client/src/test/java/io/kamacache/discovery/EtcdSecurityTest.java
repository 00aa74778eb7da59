package io.kamacache.discovery;

import io.etcd.jetcd.Client;
import io.kamacache.testing.EtcdExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.kamacache.discovery.EtcdMembershipTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link EtcdMembership} with a user and password, with TLS and with mutual TLS, each on an etcd of its own. */
class EtcdSecurityTest {

    @RegisterExtension
    static final EtcdExtension AUTH = new EtcdExtension().ownProcess();

    @RegisterExtension
    static final EtcdExtension TLS = new EtcdExtension().withTls();

    @RegisterExtension
    static final EtcdExtension MUTUAL_TLS = new EtcdExtension().withMutualTls();

    @BeforeAll
    static void enableAuth() throws Exception {
        try (Client client = Client.builder().endpoints(AUTH.endpoint()).build()) {
            client.getAuthClient().userAdd(bytes("root"), bytes("s3cret")).get(5, TimeUnit.SECONDS);
            client.getAuthClient().userGrantRole(bytes("root"), bytes("root")).get(5, TimeUnit.SECONDS);
            client.getAuthClient().authEnable().get(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void theRightPasswordJoins() {
        Views views = new Views();
        try (EtcdMembership membership = builder(AUTH).credentials("root", "s3cret").build()) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
    }

    @Test
    void aWrongPasswordIsAClearError() {
        try (EtcdMembership membership = builder(AUTH).credentials("root", "wrong").build()) {
            assertThatThrownBy(() -> membership.join("127.0.0.1:7001", new Views()))
                    .isInstanceOf(MembershipException.class)
                    .hasMessageContaining(AUTH.endpoint())
                    .hasMessageContaining("authentication failed");
        }
    }

    @Test
    void noCredentialsAreRefusedWhenAuthIsOn() {
        try (EtcdMembership membership = builder(AUTH).build()) {
            assertThatThrownBy(() -> membership.join("127.0.0.1:7001", new Views()))
                    .isInstanceOf(MembershipException.class)
                    .hasMessageContaining(AUTH.endpoint());
        }
    }

    @Test
    void tlsWithTheCaJoins() {
        Views views = new Views();
        try (EtcdMembership membership = builder(TLS).tls(TLS.caCert()).build()) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
    }

    @Test
    void mutualTlsJoinsWithAClientCertificateOnly() {
        Views views = new Views();
        try (EtcdMembership membership = builder(MUTUAL_TLS)
                .tls(MUTUAL_TLS.caCert(), MUTUAL_TLS.clientCert(), MUTUAL_TLS.clientKey()).build()) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
        try (EtcdMembership membership = builder(MUTUAL_TLS).tls(MUTUAL_TLS.caCert()).build()) {
            assertThatThrownBy(() -> membership.join("127.0.0.1:7002", new Views()))
                    .isInstanceOf(MembershipException.class)
                    .hasMessageContaining(MUTUAL_TLS.endpoint());
        }
    }

    private static EtcdMembership.Builder builder(EtcdExtension etcd) {
        return EtcdMembership.builder().endpoints(etcd.endpoints()).serviceName("security-test")
                .leaseTtl(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(2));
    }
}
