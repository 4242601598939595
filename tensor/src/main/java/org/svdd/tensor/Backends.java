package org.svdd.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finds backends at run time. The system property {@code svdd.backend} picks one by name ({@code reference},
 * {@code cpu}, {@code cuda}); without it the highest-priority available backend wins. An unavailable backend that
 * was asked for by name is a clear error; one that was not asked for is skipped with one line on standard error.
 */
public final class Backends {
    private static volatile Backend current;

    private Backends() {
    }

    /** Service interface: one per backend, found by {@link ServiceLoader}. */
    public interface Provider {
        String name();

        /** Higher wins when no backend is named. */
        int priority();

        /** Null when available, else the reason (no GPU, no driver, ...). Must not throw. */
        String unavailableReason();

        Backend create();
    }

    public static Backend current() {
        Backend b = current;
        if (b == null) {
            synchronized (Backends.class) {
                if (current == null) current = select(System.getProperty("svdd.backend"));
                b = current;
            }
        }
        return b;
    }

    /** Replaces the process-wide default (tests, the CLI's --backend option). */
    public static void setCurrent(Backend backend) {
        current = backend;
    }

    public static List<Provider> providers() {
        List<Provider> list = new ArrayList<>();
        list.add(new ReferenceBackend.ReferenceProvider());
        ServiceLoader.load(Provider.class).forEach(list::add);
        list.sort(Comparator.comparingInt(Provider::priority).reversed());
        return list;
    }

    /** Whether the one-line notice of a fallback (no GPU: the CPU is used) has been printed in this JVM. */
    private static final AtomicBoolean FALLBACK_NOTED = new AtomicBoolean();

    /** A backend by name, or the best available one when name is null or empty; a fallback is noted once, on one line. */
    public static Backend select(String name) {
        List<Provider> all = providers();
        if (name != null && !name.isBlank()) {
            for (Provider p : all) {
                if (p.name().equalsIgnoreCase(name.trim())) {
                    String why = p.unavailableReason();
                    if (why != null) throw new IllegalStateException("backend '" + name + "' was requested but is unavailable: " + why);
                    return p.create();
                }
            }
            List<String> names = all.stream().map(Provider::name).toList();
            throw new IllegalArgumentException("unknown backend '" + name + "'; known backends: " + names);
        }
        List<String> skipped = new ArrayList<>();
        for (Provider p : all) {
            if (p.unavailableReason() == null) {
                if (!skipped.isEmpty() && !FALLBACK_NOTED.getAndSet(true))
                    System.err.println("svdd: " + String.join(", ", skipped) + " unavailable, running on " + p.name() + " ('svdd info' says why)");
                return p.create();
            }
            skipped.add(p.name());
        }
        throw new IllegalStateException("no backend available");
    }
}
