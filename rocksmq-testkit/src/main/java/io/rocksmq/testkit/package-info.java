/**
 * Test support for RocksMQ users and backends.
 * <ul>
 *   <li>{@link io.rocksmq.testkit.MqClientContract}: the contract suite every backend of the client API
 *       must pass (subclass it once per backend; declare documented differences with
 *       {@link io.rocksmq.testkit.BackendTraits}).</li>
 *   <li>{@link io.rocksmq.testkit.IntegrityContract}: more contract, implemented beside it: refused calls
 *       change nothing, data never changes silently, acknowledgements never run ahead of delivery.</li>
 *   <li>{@link io.rocksmq.testkit.EmbeddedMqExtension}: a JUnit 5 extension that gives each test a fresh
 *       embedded queue as an {@link io.rocksmq.api.MqClient} parameter.</li>
 *   <li>{@code io.rocksmq.testkit.kafka}: a real KRaft broker in a child JVM ({@code KafkaBroker}), one
 *       shared by a whole test run ({@code SharedKafkaBroker}, a JUnit extension) and plain Kafka clients
 *       on it ({@code RawKafka}); these need the optional Kafka jars on the class path.</li>
 * </ul>
 * Depends on {@code rocksmq-api} only; the embedded backend is found at run time through
 * {@link io.rocksmq.api.MqClient#open(String)}.
 */
package io.rocksmq.testkit;
