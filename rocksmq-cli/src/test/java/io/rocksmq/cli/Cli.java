package io.rocksmq.cli;

import io.rocksmq.core.RocksMq;
import picocli.CommandLine;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/** Runs {@code rmq} in-process with captured output. Not thread-safe; one per test. */
final class Cli {
    /** What one invocation did. */
    record Result(int exit, String out, String err) {
        List<String> lines() {
            return out.isEmpty() ? List.of() : List.of(out.split("\n"));
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- out:\n" + out + "--- err:\n" + err;
        }
    }

    private RocksMq shared;
    private Map<String, String> env = Map.of();
    private InputStream stdin = new ByteArrayInputStream(new byte[0]);
    private final StringWriter liveOut = new StringWriter();
    private final StringWriter liveErr = new StringWriter();

    /** Commands use this open queue instead of opening --data (lets a test produce while a command follows). */
    Cli shared(RocksMq mq) {
        this.shared = mq;
        return this;
    }

    /** The environment the commands see (RMQ_DATA, say) instead of the process's. */
    Cli env(Map<String, String> env) {
        this.env = env;
        return this;
    }

    Cli stdin(String text) {
        this.stdin = new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Output written so far by a command running on another thread. */
    String liveOut() {
        return liveOut.toString();
    }

    /** Error output written so far by a command running on another thread. */
    String liveErr() {
        return liveErr.toString();
    }

    Result run(String... args) {
        liveOut.getBuffer().setLength(0);
        liveErr.getBuffer().setLength(0);
        StringWriter err = liveErr;
        Rmq root = new Rmq();
        root.sharedQueue = shared;
        root.stdin = stdin;
        root.env = env;
        CommandLine cmd = Rmq.commandLine(root);
        cmd.setOut(new PrintWriter(liveOut, true));
        cmd.setErr(new PrintWriter(err, true));
        int exit = cmd.execute(args);
        return new Result(exit, liveOut.toString(), err.toString());
    }
}
