package io.rocksmq.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Certificates made for a test with BouncyCastle: a CA, and leaf certificates it signs (server with
 * {@code localhost}/{@code 127.0.0.1} as names, or client), written as PEM files: certificate chain and
 * PKCS#8 private key, the formats gRPC reads.
 */
final class TestCertificates {
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    /** A PEM certificate and its PKCS#8 PEM key. */
    record Pem(Path certificate, Path key) {
    }

    private final Path dir;
    private final String caName;
    private final KeyPair caKeys;
    private final X509CertificateHolder ca;
    final Path caCertificate;

    TestCertificates(Path dir, String caName) throws Exception {
        this.dir = dir;
        this.caName = caName;
        this.caKeys = keys();
        X500Name subject = new X500Name("CN=" + caName);
        JcaX509v3CertificateBuilder b = builder(subject, subject, caKeys);
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        this.ca = b.build(signer(caKeys));
        this.caCertificate = write(caName + "-ca.pem", ca, null).certificate();
    }

    /** A server certificate for localhost and 127.0.0.1. */
    Pem server(String name) throws Exception {
        KeyPair keys = keys();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + caName), new X500Name("CN=localhost"), keys);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1")}));
        return write(name, b.build(signer(caKeys)), keys);
    }

    /** A client certificate. */
    Pem client(String name) throws Exception {
        KeyPair keys = keys();
        JcaX509v3CertificateBuilder b = builder(new X500Name("CN=" + caName), new X500Name("CN=" + name), keys);
        return write(name, b.build(signer(caKeys)), keys);
    }

    private static KeyPair keys() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIAL.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject, keys.getPublic());
    }

    private static ContentSigner signer(KeyPair keys) throws Exception {
        return new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
    }

    private Pem write(String name, X509CertificateHolder cert, KeyPair keys) throws IOException {
        Path certFile = dir.resolve(name + ".pem");
        try (Writer w = Files.newBufferedWriter(certFile, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(cert);
            if (cert != ca) {
                pem.writeObject(ca); // the chain up to the CA
            }
        }
        if (keys == null) {
            return new Pem(certFile, null);
        }
        Path keyFile = dir.resolve(name + "-key.pem");
        try (Writer w = Files.newBufferedWriter(keyFile, StandardCharsets.US_ASCII);
             JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(new JcaPKCS8Generator(keys.getPrivate(), null));
        }
        return new Pem(certFile, keyFile);
    }
}
