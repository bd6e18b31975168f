package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code rmq produce --deliver-at/--deliver-after}, {@code rmq schedules list/cancel}, the count in {@code topics describe}. */
class SchedulesCommandTest {
    @TempDir
    Path dir;

    private final Cli cli = new Cli();

    private String data() {
        return dir.resolve("q").toString();
    }

    private Cli.Result ok(String... args) {
        Cli.Result r = cli.run(args);
        assertThat(r.exit()).as(r.err()).isZero();
        return r;
    }

    @Test
    void scheduleListCancelAndDescribe() throws Exception {
        String data = data();
        ok("topics", "create", "t", "--data", data);
        assertThat(cli.stdin("later\n").run("produce", "t", "--deliver-at", "2999-01-01T00:00:00Z", "--data", data).out())
                .startsWith("scheduled 1 message for 't', due 2999-01-01T00:00:00Z (handle ");
        assertThat(cli.stdin("a\nb\n").run("produce", "t", "--deliver-after", "1h", "--data", data).out())
                .startsWith("scheduled 2 messages for 't', due ");
        assertThat(ok("topics", "describe", "t", "--data", data).out()).contains("3 messages waiting for their delivery time");
        String list = ok("schedules", "list", "t", "--data", data).out();
        assertThat(list).contains("HANDLE").contains("later").contains("a").contains("b");
        String json = ok("schedules", "list", "t", "--json", "--data", data).out();
        assertThat(json).contains("\"scheduled\":3");
        String lastLine = list.strip().lines().reduce((x, y) -> y).orElseThrow(); // "later" is due last
        String handle = lastLine.split("\\s+")[0];
        assertThat(ok("schedules", "cancel", "t", handle, "--data", data).out())
                .isEqualTo("cancelled scheduled message " + handle + " of 't'\n");
        Cli.Result again = cli.run("schedules", "cancel", "t", handle, "--data", data);
        assertThat(again.exit()).isNotZero();
        assertThat(again.err()).contains("no scheduled message " + handle);
        assertThat(cli.run("schedules", "cancel", "t", "garbage", "--data", data).exit()).isNotZero();
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            assertThat(mq.admin().scheduledCount("t")).isEqualTo(2);
            assertThat(mq.admin().scheduled("t", 10)).extracting(s -> new String(s.message().payload(), StandardCharsets.UTF_8))
                    .containsExactly("a", "b");
        }
    }

    @Test
    void aMessageDueNowAppearsAndBadTimesAreUsageErrors() throws Exception {
        String data = data();
        ok("topics", "create", "t", "--data", data);
        assertThat(cli.stdin("now\n").run("produce", "t", "--deliver-after", "0s", "--data", data).exit()).isZero();
        try (RocksMq mq = RocksMq.open(Path.of(data))) {
            long end = System.nanoTime() + 20_000_000_000L;
            while (mq.latestMessageId("t") < 0 && System.nanoTime() < end) {
                Thread.sleep(10);
            }
            assertThat(new String(mq.read("t", 0, 1).get(0).payload(), StandardCharsets.UTF_8)).isEqualTo("now");
        }
        assertThat(cli.stdin("x\n").run("produce", "t", "--deliver-at", "tomorrow", "--data", data).exit()).isEqualTo(2);
        assertThat(cli.stdin("x\n").run("produce", "t", "--deliver-after", "-5s", "--data", data).exit()).isEqualTo(2);
        assertThat(cli.stdin("x\n").run("produce", "t", "--deliver-after", "1s", "--deliver-at", "2999-01-01T00:00:00Z",
                "--data", data).exit()).isEqualTo(2);
    }
}
