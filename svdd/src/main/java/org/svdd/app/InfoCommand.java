package org.svdd.app;

import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.util.concurrent.Callable;

/** Prints the backends found on this machine and which one is selected. */
@Command(name = "info", mixinStandardHelpOptions = true, description = "List the compute backends and the one in use.")
final class InfoCommand implements Callable<Integer> {
    @Option(names = "--backend", description = "Backend to select: reference, cpu or cuda (default: best available).")
    String backend;

    @Override
    public Integer call() {
        for (Backends.Provider p : Backends.providers()) {
            String why = p.unavailableReason();
            System.out.printf("%-10s priority %3d  %s%n", p.name(), p.priority(), why == null ? "available" : "unavailable: " + why);
        }
        Backend b = Backends.select(backend);
        System.out.println("selected: " + b.name());
        System.out.println("cores: " + Runtime.getRuntime().availableProcessors() + ", java " + Runtime.version());
        return 0;
    }
}
