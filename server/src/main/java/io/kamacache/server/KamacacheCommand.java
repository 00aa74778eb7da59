package io.kamacache.server;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code kamacache} command: {@code kamacache server} runs a node; {@code get},
 * {@code put}, {@code delete}, {@code groups}, {@code stats}, {@code nodes} and {@code owner} talk to a
 * running cluster ({@link ClusterCommands}).
 */
@Command(name = "kamacache", mixinStandardHelpOptions = true, versionProvider = KamacacheCommand.Version.class,
        description = "A distributed in-memory cache for the JVM.",
        subcommands = {ServerCommand.class, CommandLine.HelpCommand.class})
public final class KamacacheCommand implements Runnable {

    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command with all its subcommands. */
    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new KamacacheCommand());
        new CommandLine(new ClusterCommands()).getSubcommands().forEach(line::addSubcommand);
        return line;
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "name a command, such as: kamacache server, kamacache get --server 127.0.0.1:8001 --group G KEY");
    }

    /** The version the jar's manifest gives, or "development" from a build tree. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"kamacache " + number()};
        }

        static String number() {
            String version = KamacacheCommand.class.getPackage().getImplementationVersion();
            return version == null ? "development" : version;
        }
    }
}
