package io.rocksmq.server;

import io.rocksmq.api.MqClient;
import io.rocksmq.testkit.BackendTraits;
import io.rocksmq.testkit.MqClientContract;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/** The whole client contract again, over mutual TLS and with a token: security changes no behaviour. */
class RemoteClientContractOverTlsTest extends MqClientContract {
    @TempDir
    static Path dir;
    private static RmqServer server;
    private static String uri;

    @BeforeAll
    static void startServer() throws Exception {
        TestCertificates certs = new TestCertificates(dir, "contract");
        TestCertificates.Pem serverCert = certs.server("server");
        TestCertificates.Pem clientCert = certs.client("client");
        Path tokens = dir.resolve("tokens");
        String token = TokenStore.create(tokens, "contract", List.of(new TokenStore.Grant(Permission.ADMIN, "*")));
        server = RmqServer.builder(dir.resolve("data")).listen("127.0.0.1", 0)
                .tls(serverCert.certificate(), serverCert.key(), certs.caCertificate)
                .tokens(TokenStore.load(tokens))
                .start();
        uri = "rmqs://localhost:" + server.port() + "?token=" + token + "&ca=" + enc(certs.caCertificate)
                + "&cert=" + enc(clientCert.certificate()) + "&key=" + enc(clientCert.key());
    }

    private static String enc(Path p) {
        return URLEncoder.encode(p.toString(), StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stopServer() {
        if (server != null) {
            server.close();
        }
    }

    @Override
    protected MqClient createClient() {
        return MqClient.open(uri);
    }

    @Override
    protected long expiredMessages(MqClient client, String topic, String subscription) {
        return RemoteExpiredCount.of(client, topic, subscription);
    }

    @Override
    protected BackendTraits traits() {
        return BackendTraits.builder().build(); // every trait, scheduled delivery included
    }
}
