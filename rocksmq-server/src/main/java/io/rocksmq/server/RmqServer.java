package io.rocksmq.server;

import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptors;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.rocksmq.api.InvalidArgumentException;
import io.rocksmq.api.RocksMqException;
import io.rocksmq.core.RocksMq;
import io.rocksmq.core.RocksMqConfig;
import io.rocksmq.remote.QueueGrpc;
import io.rocksmq.remote.SharedQueueGrpc;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A RocksMQ server: an embedded queue served over gRPC ({@code rocksmq/v1/rocksmq.proto}), what
 * {@code rmq serve} runs. Also embeddable:
 *
 * <pre>{@code
 * try (RmqServer server = RmqServer.builder(Path.of("data")).listen("127.0.0.1", 7650).start()) {
 *     // clients: MqClient.open("rmq://127.0.0.1:7650")
 *     server.awaitTermination();
 * }
 * }</pre>
 *
 * <p>Besides the queue service it serves the standard {@code grpc.health.v1.Health} service and gRPC server
 * reflection ({@code grpc.reflection.v1}, the .proto's schema), both without a token. Limits: the
 * largest request ({@link Builder#maxRequestBytes}), what one subscription stream holds
 * ({@link Builder#sessionBufferBytes}), what all of them hold together ({@link Builder#serverBufferBytes}),
 * streams per connection, idle connections and keepalive. {@link #close()} shuts down gracefully: no new
 * calls, open subscriptions end with UNAVAILABLE (their clients re-subscribe elsewhere or later), calls in
 * progress get {@link Builder#drainTimeout} to finish, then the queue is closed.
 *
 * <p>Thread-safe.
 */
public final class RmqServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RmqServer.class);
    /**
     * {@link Builder#sessionBufferBytes}'s default: 4 MiB, two of read-ahead and two per batch, far more
     * than a batch of 500 small messages needs; small enough that the default server budget (a quarter of
     * the heap) opens 64 streams with their full buffer per GiB of heap.
     */
    public static final long DEFAULT_SESSION_BUFFER_BYTES = 4L << 20;
    /**
     * The least buffer a subscription stream opens with when the server's budget
     * ({@link Builder#serverBufferBytes}) cannot cover its full {@link Builder#sessionBufferBytes}: 64 KiB
     * (or the full session buffer, if smaller). Below it the stream is refused rather than opened with a
     * buffer too small to read ahead anything useful.
     */
    public static final long SESSION_BUFFER_FLOOR_BYTES = 64L << 10;

    private final Server server;
    private final QueueService service;
    private final SharedQueueService sharedService;
    private final HealthStatusManager health;
    private final RocksMq mq;
    private final boolean ownsQueue;
    private final ExecutorService executor;
    private final Duration drainTimeout;
    private final ServerMetrics metrics;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RmqServer(Builder b, RocksMq mq, boolean ownsQueue) throws IOException {
        this.mq = mq;
        this.ownsQueue = ownsQueue;
        this.drainTimeout = b.drainTimeout;
        ServerBufferBudget budget = new ServerBufferBudget(b.serverBufferBytes(), b.sessionFloorBytes());
        // Asked for the address only once the server listens (publish below, or a call ending before it):
        // the tag then has the port the server got. By then this.server is assigned: calls arrive after start.
        this.metrics = new ServerMetrics(b.meterRegistry, budget, this::address);
        this.service = new QueueService(mq, metrics, b.maxRequestBytes, b.sessionBufferBytes, budget);
        this.sharedService = new SharedQueueService(mq, b.maxWaitingAcquires, b.maxAcquireWait.toMillis());
        this.health = new HealthStatusManager();
        AtomicInteger threads = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(b.threads, b.threads, 60, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
            Thread t = new Thread(r, "rocksmq-serve-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        NettyServerBuilder nb = NettyServerBuilder.forAddress(new InetSocketAddress(b.host, b.port), b.credentials())
                .executor(executor)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, b.maxRequestBytes))
                .maxConcurrentCallsPerConnection(b.maxStreamsPerConnection)
                .maxConnectionIdle(b.idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTime(b.keepAliveTime.toMillis(), TimeUnit.MILLISECONDS)
                .keepAliveTimeout(b.keepAliveTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .permitKeepAliveTime(10, TimeUnit.SECONDS)
                .permitKeepAliveWithoutCalls(true)
                .addService(ServerInterceptors.intercept(service.definition(), CallContext.interceptor(metrics, b.tokens)))
                .addService(ServerInterceptors.intercept(sharedService.definition(), CallContext.interceptor(metrics, b.tokens)))
                .addService(health.getHealthService())
                // the schema, for tools such as grpcurl; open like health: the .proto is public anyway
                .addService(io.grpc.protobuf.services.ProtoReflectionServiceV1.newInstance());
        this.server = nb.build();
        try {
            server.start();
            metrics.publish(); // after start: the meters' tag is the address the server got
        } catch (IOException | RuntimeException e) { // could not bind, or the registry refused a meter
            server.shutdownNow(); // a server that did not start has nothing to stop
            executor.shutdownNow();
            sharedService.close();
            metrics.close();
            throw e;
        }
        health.setStatus("", ServingStatus.SERVING);
        health.setStatus(QueueGrpc.SERVICE_NAME, ServingStatus.SERVING);
        LOG.info("serving address={} tls={} mutualTls={} tokens={} data={} sessionBufferBytes={} serverBufferBytes={}"
                        + " sessionBufferFloorBytes={}", address(), b.tls(), b.clientCa != null,
                b.tokens == null ? "off" : b.tokens.size(), mq.config().directory(), b.sessionBufferBytes,
                budget.budget(), budget.floor());
    }

    /** A server on the queue in this directory (opened, and closed with the server). */
    public static Builder builder(Path dataDirectory) {
        if (dataDirectory == null) {
            throw new InvalidArgumentException("data directory must not be null");
        }
        return new Builder(RocksMqConfig.builder(dataDirectory).build(), null);
    }

    /** A server on a queue opened with this configuration (closed with the server). */
    public static Builder builder(RocksMqConfig config) {
        if (config == null) {
            throw new InvalidArgumentException("config must not be null");
        }
        return new Builder(config, null);
    }

    /** A server on a queue the caller keeps open and closes. */
    public static Builder builder(RocksMq queue) {
        if (queue == null) {
            throw new InvalidArgumentException("queue must not be null");
        }
        return new Builder(null, queue);
    }

    /** The address the server listens on (with the port chosen if 0 was asked). */
    public InetSocketAddress address() {
        return (InetSocketAddress) server.getListenSockets().get(0);
    }

    public int port() {
        return address().getPort();
    }

    /** The queue service (its subscription sessions), for tests. */
    QueueService queueService() {
        return service;
    }

    /** The shared-subscription service (its waiting acquires), for tests. */
    SharedQueueService sharedQueueService() {
        return sharedService;
    }

    public ServerMetrics metrics() {
        return metrics;
    }

    public RocksMq queue() {
        return mq;
    }

    /** Waits until the server is closed. */
    public void awaitTermination() throws InterruptedException {
        server.awaitTermination();
    }

    /**
     * Graceful shutdown: health NOT_SERVING, no new calls, subscriptions end with UNAVAILABLE, calls in
     * progress get the drain timeout to finish, then the queue closes (if the server opened it). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        long start = System.nanoTime();
        health.enterTerminalState();
        server.shutdown();
        service.endSubscriptions();
        try {
            if (!server.awaitTermination(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("calls still running after the drain timeout of {}; cancelling them", drainTimeout);
                server.shutdownNow();
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        service.close();
        sharedService.close();
        executor.shutdown();
        metrics.close(); // after the calls ended: a restarted server on the same registry starts from clean meters
        if (ownsQueue) {
            mq.close();
        }
        LOG.info("stopped after {} ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /** Settings of a server. Not thread-safe. */
    public static final class Builder {
        private final RocksMqConfig config;
        private final RocksMq queue;
        private String host = "127.0.0.1";
        private int port = 7650;
        private long maxRequestBytes = 64L << 20;
        private long sessionBufferBytes = DEFAULT_SESSION_BUFFER_BYTES;
        /** 0: the default, a quarter of the JVM's max heap, taken at {@link #start}. */
        private long serverBufferBytes;
        private int maxStreamsPerConnection = 1000;
        private Duration idleTimeout = Duration.ofHours(1);
        private Duration keepAliveTime = Duration.ofSeconds(30);
        private Duration keepAliveTimeout = Duration.ofSeconds(10);
        private Duration drainTimeout = Duration.ofSeconds(10);
        private int threads = Math.max(8, 4 * Runtime.getRuntime().availableProcessors());
        private int maxWaitingAcquires = SharedQueueService.MAX_WAITING;
        private Duration maxAcquireWait = Duration.ofMillis(SharedQueueGrpc.MAX_ACQUIRE_WAIT_MILLIS);
        private Path certificateChain;
        private Path privateKey;
        private Path clientCa;
        private boolean insecure;
        private TokenStore tokens;
        private io.micrometer.core.instrument.MeterRegistry meterRegistry;

        private Builder(RocksMqConfig config, RocksMq queue) {
            this.config = config;
            this.queue = queue;
        }

        /** Address and port to listen on; default 127.0.0.1:7650. Port 0 picks a free one. */
        public Builder listen(String host, int port) {
            if (host == null || host.isBlank() || port < 0 || port > 65535) {
                throw new InvalidArgumentException("bad listen address " + host + ":" + port);
            }
            this.host = host;
            this.port = port;
            return this;
        }

        /** Largest request (one gRPC message) accepted; larger ones fail with RESOURCE_EXHAUSTED. Default 64 MiB. */
        public Builder maxRequestBytes(long bytes) {
            if (bytes < 1024) {
                throw new InvalidArgumentException("maxRequestBytes must be at least 1024, was " + bytes);
            }
            this.maxRequestBytes = bytes;
            return this;
        }

        /**
         * Payload bytes one subscription stream may hold in the server, whatever its client grants: half
         * for the read-ahead of the stream's embedded consumer, half for the messages taken for a delivery
         * (each half may instead hold one larger message, alone). Default 4 MiB; at least 1024.
         */
        public Builder sessionBufferBytes(long bytes) {
            if (bytes < 1024) {
                throw new InvalidArgumentException("sessionBufferBytes must be at least 1024, was " + bytes);
            }
            this.sessionBufferBytes = bytes;
            return this;
        }

        /**
         * Payload bytes all subscription streams together may hold in the server: each stream reserves its
         * {@link #sessionBufferBytes} from this budget when it opens and gives it back when it ends (however it
         * ends). When what is left cannot cover a full session buffer, a stream opens with what is left, down to
         * {@link RmqServer#SESSION_BUFFER_FLOOR_BYTES} (or the session buffer, if smaller); below that its
         * {@code Subscribe} fails with RESOURCE_EXHAUSTED (a {@code ServerBusyException} on the Java client) and
         * nothing changes. So what the streams hold is at most this plus, per stream, the larger messages its
         * buffer lets through alone. Default: a quarter of the JVM's max heap
         * ({@code Runtime.getRuntime().maxMemory() / 4}). At least 1024, like {@link #sessionBufferBytes}; and
         * {@link #start} refuses a budget below the floor (no stream could ever open). A budget smaller than
         * one session buffer is allowed: the first stream then gets all of it.
         */
        public Builder serverBufferBytes(long bytes) {
            if (bytes < 1024) {
                throw new InvalidArgumentException("serverBufferBytes must be at least 1024, was " + bytes);
            }
            this.serverBufferBytes = bytes;
            return this;
        }

        /** The server budget in force: the one set, or a quarter of the max heap. */
        long serverBufferBytes() {
            return serverBufferBytes > 0 ? serverBufferBytes : Math.max(1024, Runtime.getRuntime().maxMemory() / 4);
        }

        /** The least a stream opens with: the floor, or the whole session buffer if smaller. */
        long sessionFloorBytes() {
            return Math.min(SESSION_BUFFER_FLOOR_BYTES, sessionBufferBytes);
        }

        /** Concurrent calls (streams) one connection may have open; default 1000. */
        public Builder maxStreamsPerConnection(int n) {
            if (n <= 0) {
                throw new InvalidArgumentException("maxStreamsPerConnection must be positive, was " + n);
            }
            this.maxStreamsPerConnection = n;
            return this;
        }

        /** A connection without calls for this long is closed (gracefully); default 1 hour. */
        public Builder idleTimeout(Duration d) {
            this.idleTimeout = positive(d, "idleTimeout");
            return this;
        }

        /** Pings a quiet connection after this long and drops it if the ping is not answered in the timeout. */
        public Builder keepAlive(Duration time, Duration timeout) {
            this.keepAliveTime = positive(time, "keepAlive time");
            this.keepAliveTimeout = positive(timeout, "keepAlive timeout");
            return this;
        }

        /** How long close() waits for calls in progress; default 10 s. */
        public Builder drainTimeout(Duration d) {
            this.drainTimeout = positive(d, "drainTimeout");
            return this;
        }

        /** Threads that run calls (queue writes and reads); default 4 per core, at least 8. */
        public Builder threads(int n) {
            if (n <= 0) {
                throw new InvalidArgumentException("threads must be positive, was " + n);
            }
            this.threads = n;
            return this;
        }

        /**
         * For tests: at most {@code maxWaiting} shared-subscription acquires wait at once (more that would wait
         * are refused with {@code ServerBusyException}), each at most {@code maxWait}. Defaults: 512, and the
         * protocol's 5 s ({@code SharedQueueGrpc.MAX_ACQUIRE_WAIT_MILLIS}).
         */
        Builder sharedAcquireLimits(int maxWaiting, Duration maxWait) {
            if (maxWaiting <= 0) {
                throw new InvalidArgumentException("maxWaiting must be positive, was " + maxWaiting);
            }
            this.maxAcquireWait = positive(maxWait, "maxWait");
            this.maxWaitingAcquires = maxWaiting;
            return this;
        }

        /**
         * Serves TLS with this certificate chain and PKCS#8 private key (PEM files); with {@code clientCa}
         * (may be null) clients must present a certificate signed by it (mutual TLS).
         */
        public Builder tls(Path certificateChain, Path privateKey, Path clientCa) {
            if (certificateChain == null || privateKey == null) {
                throw new InvalidArgumentException("TLS needs a certificate chain and a private key");
            }
            this.certificateChain = certificateChain;
            this.privateKey = privateKey;
            this.clientCa = clientCa;
            return this;
        }

        /**
         * Publishes per-call metrics ({@link ServerMetrics}) in this registry, tagged {@code server} with the
         * listen address, so servers sharing a registry keep meters of their own; null: none.
         */
        public Builder meterRegistry(io.micrometer.core.instrument.MeterRegistry registry) {
            this.meterRegistry = registry;
            return this;
        }

        /** Requires a token from this store on every queue call (the health service stays open). Null: no tokens. */
        public Builder tokens(TokenStore tokens) {
            this.tokens = tokens;
            return this;
        }

        /** Allows a non-loopback address without TLS (traffic and tokens in clear text). */
        public Builder insecure(boolean insecure) {
            this.insecure = insecure;
            return this;
        }

        boolean tls() {
            return certificateChain != null;
        }

        ServerCredentials credentials() {
            if (!tls()) {
                return InsecureServerCredentials.create();
            }
            try {
                TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
                        .keyManager(certificateChain.toFile(), privateKey.toFile());
                if (clientCa != null) {
                    b.trustManager(clientCa.toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
                }
                return b.build();
            } catch (IOException e) {
                throw new InvalidArgumentException("cannot read the TLS files: " + e.getMessage());
            }
        }

        /**
         * Opens the queue (unless given) and starts serving.
         *
         * @throws InvalidArgumentException if the address is not loopback and there is neither TLS nor
         *                                  {@link #insecure}, or the TLS files cannot be read, or the
         *                                  {@link #serverBufferBytes} are below one stream's floor
         * @throws RocksMqException         if the address cannot be bound, or the queue cannot be opened
         */
        public RmqServer start() {
            if (!tls() && !insecure && !isLoopback(host)) {
                throw new InvalidArgumentException("refusing to serve " + host + " without TLS: tokens and messages "
                        + "would cross the network in clear text; give a certificate, or pass --insecure");
            }
            if (serverBufferBytes() < sessionFloorBytes()) {
                throw new InvalidArgumentException("serverBufferBytes (" + serverBufferBytes() + ") must be at least "
                        + sessionFloorBytes() + ", the least buffer a subscription stream opens with (64 KiB, or "
                        + "sessionBufferBytes if smaller): no subscription could open");
            }
            RocksMq mq = queue != null ? queue : RocksMq.open(config);
            try {
                return new RmqServer(this, mq, queue == null);
            } catch (IOException e) {
                if (queue == null) {
                    mq.close();
                }
                throw new RocksMqException("cannot listen on " + host + ":" + port + ": " + e.getMessage(), e);
            } catch (RuntimeException e) {
                if (queue == null) {
                    mq.close();
                }
                throw e;
            }
        }

        private static boolean isLoopback(String host) {
            try {
                return InetAddress.getByName(host).isLoopbackAddress();
            } catch (UnknownHostException e) {
                throw new InvalidArgumentException("unknown host '" + host + "'");
            }
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isZero() || d.isNegative()) {
                throw new InvalidArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
