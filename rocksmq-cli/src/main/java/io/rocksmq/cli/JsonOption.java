package io.rocksmq.cli;

import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.util.function.Supplier;

/**
 * The {@code --json} option of commands that print a report, and the one place that chooses between
 * the JSON form and the text form.
 *
 * <p>Not thread-safe; belongs to one command invocation.
 */
final class JsonOption {
    @Option(names = "--json", description = "Print JSON.")
    boolean json;

    /** Prints the report as one JSON value or as text. */
    void print(PrintWriter out, Supplier<Object> asJson, Runnable asText) {
        if (json) {
            out.println(Json.write(asJson.get()));
        } else {
            asText.run();
        }
    }
}
