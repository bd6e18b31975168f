package io.rocksmq.api;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MessageIdTest {

    @Test
    void theVersionOneEncodingIsExactlyAsDocumented() {
        MessageId id = MessageId.of(3, 0x0102030405060708L);
        assertThat(HexFormat.of().formatHex(id.toBytes())).isEqualTo("01" + "00000003" + "0102030405060708");
        assertThat(MessageId.fromBytes(HexFormat.of().parseHex("01000000000000000000000000"))).isEqualTo(MessageId.of(0, 0));
    }

    @Test
    void roundTripsAndOrdersLikeTheNumbers() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        List<MessageId> ids = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            MessageId id = MessageId.of(random.nextInt(4), random.nextLong() & Long.MAX_VALUE);
            MessageId back = MessageId.fromBytes(id.toBytes());
            assertThat(back).as("seed %d", seed).isEqualTo(id).hasSameHashCodeAs(id);
            assertThat(back.compareTo(id)).isZero();
            ids.add(id);
        }
        ids.add(MessageId.of(0, Long.MAX_VALUE));
        ids.add(MessageId.of(Integer.MAX_VALUE, 0));
        List<MessageId> sorted = new ArrayList<>(ids);
        Collections.sort(sorted);
        for (int i = 1; i < sorted.size(); i++) {
            MessageId a = sorted.get(i - 1);
            MessageId b = sorted.get(i);
            assertThat(a.partition() < b.partition() || a.partition() == b.partition() && a.offset() <= b.offset())
                    .as("seed %d: %s before %s", seed, a, b).isTrue();
        }
    }

    @Test
    void toStringIsPartitionColonOffset() {
        assertThat(MessageId.of(0, 42)).hasToString("0:42");
        assertThat(MessageId.of(7, 0)).hasToString("7:0");
    }

    @Test
    void rejectsNegativesAndMalformedBytes() {
        assertThatThrownBy(() -> MessageId.of(-1, 0)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.of(0, -1)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(null)).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(new byte[0])).isInstanceOf(InvalidArgumentException.class);
        assertThatThrownBy(() -> MessageId.fromBytes(new byte[12])).isInstanceOf(InvalidArgumentException.class);
        byte[] good = MessageId.of(1, 1).toBytes();
        byte[] longer = java.util.Arrays.copyOf(good, 14);
        assertThatThrownBy(() -> MessageId.fromBytes(longer)).isInstanceOf(InvalidArgumentException.class);
        byte[] version2 = good.clone();
        version2[0] = 2;
        assertThatThrownBy(() -> MessageId.fromBytes(version2)).isInstanceOf(InvalidArgumentException.class)
                .hasMessageContaining("version 2");
        byte[] negativeOffset = good.clone();
        negativeOffset[5] = (byte) 0x80;
        assertThatThrownBy(() -> MessageId.fromBytes(negativeOffset)).isInstanceOf(InvalidArgumentException.class);
    }

    @Test
    void everyCallGivesAFreshArray() {
        MessageId id = MessageId.of(0, 5);
        byte[] first = id.toBytes();
        first[12] = 99;
        assertThat(MessageId.fromBytes(id.toBytes())).isEqualTo(id);
    }
}
