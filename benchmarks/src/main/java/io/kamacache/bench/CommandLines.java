package io.kamacache.bench;

import picocli.CommandLine;

/** The command lines of the benchmark programs that are picocli commands. */
final class CommandLines {

    private CommandLines() {
    }

    /**
     * The command line of {@code command}, which reports an exception of the command as one
     * line, the command's name and the message, and exits with code 2.
     */
    static CommandLine withOneLineErrors(Object command) {
        CommandLine commandLine = new CommandLine(command);
        commandLine.setExecutionExceptionHandler((e, cl, parseResult) -> {
            cl.getErr().println(cl.getCommandName() + ": " + e.getMessage());
            return 2;
        });
        return commandLine;
    }
}
