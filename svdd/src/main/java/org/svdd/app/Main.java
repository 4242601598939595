package org.svdd.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Properties;

/**
 * The {@code svdd} command line: one subcommand per job. Exit status 0 on success, 2 for a usage error (an unknown
 * option, a bad value, a missing input file, an output that exists: one line and a pointer to --help, found before
 * any work starts), 1 for a failure at run time.
 */
@Command(name = "svdd", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Reward-guided sampling from diffusion models (SVDD) on a pure-Java tensor engine.",
        subcommands = {InfoCommand.class, TrainCommand.class, TrainClassifierCommand.class, TrainValueCommand.class, TrainOracleCommand.class, SampleCommand.class, CompareCommand.class, ScoreCommand.class, DemoCommand.class, EvalCommand.class, InspectCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    /** Exit status of a failure at run time. */
    static final int FAILED = 1;
    /** Exit status of a usage error. */
    static final int USAGE = 2;

    public static void main(String[] args) {
        int status;
        try {
            status = commandLine(new PrintWriter(System.err, true)).execute(args);
        } catch (Error e) {   // picocli hands errors (out of memory, a failed class initialisation) on: one line here too
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            System.err.println("svdd: " + e.getClass().getSimpleName() + ": " + (cause.getMessage() != null ? cause.getMessage() : cause));
            if (System.getenv("SVDD_DEBUG") != null) e.printStackTrace();
            status = FAILED;
        }
        System.exit(status);
    }

    /** The command line with its error reporting (usage errors on one line with a pointer to --help, failures on one line); tests run it in-process. */
    public static CommandLine commandLine(PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setExecutionStrategy(parsed -> {
            try {
                return new CommandLine.RunLast().execute(parsed);
            } finally {
                Usage.releaseLocks();
            }
        });
        cli.setParameterExceptionHandler((e, args) -> usageError(e.getCommandLine(), e.getMessage()));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (e instanceof Usage.Error) return usageError(cmd, e.getMessage());
            cmd.getErr().println("svdd " + cmd.getCommandName() + ": " + (e.getMessage() != null ? e.getMessage() : e.toString()));
            if (System.getenv("SVDD_DEBUG") != null) e.printStackTrace(cmd.getErr());
            else cmd.getErr().println("(SVDD_DEBUG=1 prints the stack trace)");
            return FAILED;
        });
        return cli;
    }

    private static int usageError(CommandLine cmd, String message) {
        String name = cmd.getCommandSpec().qualifiedName();
        cmd.getErr().println(name + ": " + message);
        cmd.getErr().println("Try '" + name + " --help' for more information.");
        return USAGE;
    }

    /** The version of this build (Maven's project version, filtered into version.properties). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() throws IOException {
            Properties p = new Properties();
            try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
                if (in != null) p.load(in);
            }
            return new String[]{"svdd-java " + p.getProperty("version", "(unknown version)") + ", java " + Runtime.version()};
        }
    }
}
