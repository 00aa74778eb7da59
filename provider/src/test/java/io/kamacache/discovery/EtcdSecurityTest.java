package io.kamacache.discovery;

import io.etcd.jetcd.Client;
import io.kamacache.testing.EtcdExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.kamacache.discovery.EtcdRegistrationTest.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link EtcdRegistration} with a user and password, with TLS and with mutual TLS, each on an etcd of its own. */
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
        try (EtcdRegistration membership = EtcdRegistration.of(builder(AUTH).credentials("root", "s3cret"))) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
    }

    @Test
    void aWrongPasswordIsAClearError() {
        try (EtcdRegistration membership = EtcdRegistration.of(builder(AUTH).credentials("root", "wrong"))) {
            assertThatThrownBy(() -> membership.join("127.0.0.1:7001", new Views()))
                    .isInstanceOf(MembershipException.class)
                    .hasMessageContaining(AUTH.endpoint())
                    .hasMessageContaining("authentication failed");
        }
    }

    @Test
    void noCredentialsAreRefusedWhenAuthIsOn() {
        try (EtcdRegistration membership = EtcdRegistration.of(builder(AUTH))) {
            assertThatThrownBy(() -> membership.join("127.0.0.1:7001", new Views()))
                    .isInstanceOf(MembershipException.class)
                    .hasMessageContaining(AUTH.endpoint());
        }
    }

    @Test
    void tlsWithTheCaJoins() {
        Views views = new Views();
        try (EtcdRegistration membership = EtcdRegistration.of(builder(TLS).tls(TLS.caCert()))) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
    }

    @Test
    void mutualTlsJoinsWithAClientCertificateOnly() {
        Views views = new Views();
        try (EtcdRegistration membership = EtcdRegistration.of(builder(MUTUAL_TLS)
                .tls(MUTUAL_TLS.caCert(), MUTUAL_TLS.clientCert(), MUTUAL_TLS.clientKey()))) {
            membership.join("127.0.0.1:7001", views);
            assertThat(views.last()).isEqualTo(Set.of("127.0.0.1:7001"));
        }
        try (EtcdRegistration membership = EtcdRegistration.of(builder(MUTUAL_TLS).tls(MUTUAL_TLS.caCert()))) {
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
