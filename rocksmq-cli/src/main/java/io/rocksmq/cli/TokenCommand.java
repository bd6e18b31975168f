package io.rocksmq.cli;

import io.rocksmq.server.Permission;
import io.rocksmq.server.TokenStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code rmq token NAME --tokens FILE --produce GLOB --consume GLOB --admin GLOB}: creates a bearer token for
 * {@code rmq serve --tokens FILE}; the file keeps only its hash, the token is printed once.
 *
 * <p>Not thread-safe; one invocation per instance.
 */
@Command(name = "token", description = {
        "Create a bearer token for 'rmq serve --tokens FILE': its SHA-256 hash, name and permissions are"
                + " appended to FILE, and the token is printed once (it is not stored anywhere).",
        "Permissions apply to topics matching a glob ('*' matches anything): produce, consume, admin"
                + " (admin includes the others). Restart the server to load new tokens.",
        "Clients pass it as rmq://HOST:PORT?token=TOKEN."})
final class TokenCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "Who the token is for (logged with its calls).")
    String name;
    @Option(names = "--tokens", required = true, paramLabel = "FILE", description = "The token file of the server.")
    Path file;
    @Option(names = "--produce", paramLabel = "GLOB", description = "May send to these topics (repeatable).")
    List<String> produce = new ArrayList<>();
    @Option(names = "--consume", paramLabel = "GLOB", description = "May subscribe to these topics (repeatable).")
    List<String> consume = new ArrayList<>();
    @Option(names = "--admin", paramLabel = "GLOB", description = "May do anything on these topics (repeatable).")
    List<String> admin = new ArrayList<>();
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        List<TokenStore.Grant> grants = new ArrayList<>();
        produce.forEach(g -> grants.add(new TokenStore.Grant(Permission.PRODUCE, g)));
        consume.forEach(g -> grants.add(new TokenStore.Grant(Permission.CONSUME, g)));
        admin.forEach(g -> grants.add(new TokenStore.Grant(Permission.ADMIN, g)));
        String token = TokenStore.create(file, name, grants);
        PrintWriter out = spec.commandLine().getOut();
        out.println(token);
        out.flush();
        return 0;
    }
}
