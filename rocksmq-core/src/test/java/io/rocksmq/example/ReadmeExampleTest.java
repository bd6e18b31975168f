package io.rocksmq.example;

import io.rocksmq.api.MqClient;
import io.rocksmq.api.SubscriptionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** README's example runs as printed, from a package outside the library's, in a directory with a space. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    @Test
    void theReadmeExampleRunsAsPrinted() {
        Path data = dir.resolve("my orders");
        PrintStream stdout = System.out;
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            ReadmeExample.main(new String[] {data.toString()});
        } finally {
            System.setOut(stdout);
        }
        assertThat(printed.toString(StandardCharsets.UTF_8)).isEqualTo("0:0 order 1" + System.lineSeparator());
        try (MqClient client = MqClient.open(data)) {
            assertThat(client.listSubscriptions("orders")).extracting(SubscriptionInfo::name).containsExactly("billing");
        }
    }
}
