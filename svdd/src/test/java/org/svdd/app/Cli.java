package org.svdd.app;

import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The `svdd` command line run in-process for tests, as Main runs it. */
final class Cli {
    private Cli() {
    }

    /** Runs the arguments; returns {exit code, stderr}, errors reported as Main reports them. */
    static Object[] run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        StringWriter err = new StringWriter();
        cli.setErr(new PrintWriter(err));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println("svdd " + cmd.getCommandName() + ": " + e.getMessage());
            return 2;
        });
        int code = cli.execute(args);
        return new Object[]{code, err.toString()};
    }
}
