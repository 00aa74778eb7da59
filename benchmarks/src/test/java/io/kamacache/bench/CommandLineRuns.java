package io.kamacache.bench;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** Runs a benchmark program's command line in a test. */
final class CommandLineRuns {

    private CommandLineRuns() {
    }

    /** The exit code, a colon and the error output of {@code commandLine} run with {@code args}. */
    static String exitCodeAndErrors(CommandLine commandLine, String... args) {
        StringWriter err = new StringWriter();
        commandLine.setErr(new PrintWriter(err));
        int code = commandLine.execute(args);
        return code + ":" + err;
    }
}
