package org.svdd.app;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code svdd} command line: one subcommand per job. */
@Command(name = "svdd", mixinStandardHelpOptions = true, version = "svdd-java 0.1.0",
        description = "Reward-guided sampling from diffusion models (SVDD) on a pure-Java tensor engine.",
        subcommands = {InfoCommand.class, TrainCommand.class, TrainClassifierCommand.class, TrainValueCommand.class, TrainOracleCommand.class, SampleCommand.class, CompareCommand.class, DemoCommand.class, EvalCommand.class, InspectCommand.class, CommandLine.HelpCommand.class})
public final class Main {
    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("svdd " + cmd.getCommandName() + ": " + e.getMessage());
            if (System.getenv("SVDD_DEBUG") != null) e.printStackTrace(cmd.getErr());
            return 2;
        });
        System.exit(cli.execute(args));
    }
}
