/**
 * The client API ({@code io.rocksmq.api}) on Apache Kafka. Public: {@link io.rocksmq.kafka.KafkaMqClient}
 * (the client, with the mapping to Kafka and the differences from the embedded backend in its javadoc),
 * {@link io.rocksmq.kafka.KafkaOptions} (its settings) and {@link io.rocksmq.kafka.KafkaMqClientProvider}
 * (which makes {@code MqClient.open("kafka://host:9092")} find it). Everything else is package-private
 * implementation.
 */
package io.rocksmq.kafka;
