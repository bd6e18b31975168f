package io.rocksmq.bench;

import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** A quick W10 run: everything scheduled is received once, and the figures are filled in. No timing is asserted. */
class W10ScheduledTest {
    @Test
    @Timeout(value = 3, unit = TimeUnit.MINUTES)
    void smallW10ReceivesEveryScheduledMessage(@TempDir Path dir) throws Exception {
        W10Scheduled.Result r;
        try (RocksMq mq = RocksMq.open(dir)) {
            r = W10Scheduled.run(mq, 5_000, 500, 300);
            assertThat(mq.admin().scheduledCount("w10")).isZero();
            assertThat(mq.latestMessageId("w10") - mq.earliestMessageId("w10") + 1).isEqualTo(5_000);
        }
        assertThat(r.received()).isEqualTo(5_000);
        assertThat(r.scheduleRate()).isPositive();
        assertThat(r.produceRate()).isPositive();
        assertThat(r.maxMicros()).isGreaterThanOrEqualTo(r.p99Micros()).isGreaterThanOrEqualTo(r.p50Micros());
        assertThat(r.toString()).startsWith("W10: 5,000 scheduled, 5,000 received");
    }
}
