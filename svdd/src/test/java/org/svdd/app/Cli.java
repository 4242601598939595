package org.svdd.app;

import java.io.PrintWriter;
import java.io.StringWriter;

/** The `svdd` command line run in-process for tests, as Main runs it. */
final class Cli {
    private Cli() {
    }

    /** Runs the arguments; returns {exit code, stderr}, errors reported as Main reports them. */
    static Object[] run(String... args) {
        StringWriter err = new StringWriter();
        int code = Main.commandLine(new PrintWriter(err, true)).execute(args);
        return new Object[]{code, err.toString()};
    }
}
