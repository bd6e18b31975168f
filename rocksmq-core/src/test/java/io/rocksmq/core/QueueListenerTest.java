package io.rocksmq.core;

import io.rocksmq.api.InvalidArgumentException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QueueListenerTest {
    @TempDir
    Path dir;

    @Test
    void listenerHearsEveryProduceAndConsumeAfterItTookEffect() {
        List<String> heard = new CopyOnWriteArrayList<>();
        try (RocksMq mq = RocksMq.open(dir)) {
            assertThat(mq.listener()).isSameAs(QueueListener.NO_OP);
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.listener(new QueueListener() {
                @Override
                public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                    // the batch is visible to readers by the time the listener runs
                    heard.add("produce " + topic + " " + messages.size() + " latest=" + mq.latestMessageId(topic)
                            + (nanos >= 0 ? "" : " negative time"));
                }

                @Override
                public void onConsume(String topic, String group, List<ConsumerMessage> messages, long nanos) {
                    heard.add("consume " + topic + "/" + group + " " + messages.size());
                }
            });
            long[] ids = mq.produce("t", List.of(ProducerMessage.of(new byte[1]), ProducerMessage.of(new byte[2])));
            mq.consume("t", "g", 10);
            mq.consume("t", "g", 10);
            assertThat(heard).containsExactly("produce t 2 latest=" + ids[1], "consume t/g 2", "consume t/g 0");

            mq.listener(QueueListener.NO_OP);
            mq.produce("t", List.of(ProducerMessage.of(new byte[1])));
            assertThat(heard).hasSize(3);
            assertThatThrownBy(() -> mq.listener(null)).isInstanceOf(InvalidArgumentException.class);
        }
    }

    @Test
    void aFailingListenerNeverFailsTheOperation() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            mq.createConsumerGroup("t", "g");
            mq.listener(new QueueListener() {
                @Override
                public void onProduce(String topic, List<ProducerMessage> messages, long nanos) {
                    throw new IllegalStateException("listener bug");
                }

                @Override
                public void onConsume(String topic, String group, List<ConsumerMessage> messages, long nanos) {
                    throw new IllegalStateException("listener bug");
                }
            });
            long[] ids = mq.produce("t", List.of(ProducerMessage.of(new byte[1])));
            assertThat(mq.consume("t", "g", 10)).extracting(ConsumerMessage::id).containsExactly(ids[0]);
            assertThat(mq.position("t", "g")).isEqualTo(ids[0] + 1);
        }
    }

    @Test
    void engineExposesNumericRocksDbPropertiesReadOnly() {
        try (RocksMq mq = RocksMq.open(dir)) {
            mq.createTopic("t");
            List<ProducerMessage> batch = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                batch.add(ProducerMessage.of(new byte[100]));
            }
            mq.produce("t", batch);
            assertThat(mq.admin().engineProperty("rocksdb.cur-size-all-mem-tables")).isPositive();
            assertThat(mq.admin().engineProperty("rocksdb.num-running-compactions")).isGreaterThanOrEqualTo(0);
            assertThat(mq.admin().engineProperty("rocksdb.estimate-pending-compaction-bytes")).isGreaterThanOrEqualTo(0);
            assertThatThrownBy(() -> mq.admin().engineProperty("rocksdb.no-such-property"))
                    .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("no-such-property");
            assertThatThrownBy(() -> mq.admin().engineProperty("")).isInstanceOf(InvalidArgumentException.class);
            assertThat(mq.admin().recoveryRepairs()).isZero();
        }
    }
}
