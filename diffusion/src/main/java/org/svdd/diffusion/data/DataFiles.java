package org.svdd.diffusion.data;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * What the readers of this package share: opening files that may be gzip-compressed (public: other readers of user
 * files use it too), and finding the data sets ({@code $SVDD_DATA/<name>} first, then where scripts/fetch-data.sh puts
 * them).
 */
public final class DataFiles {
    /** Environment variable naming a folder that overrides the default data locations. */
    static final String ENV = "SVDD_DATA";

    private static final int BUFFER = 1 << 16;

    private DataFiles() {
    }

    /** A buffered stream over the file's content, gunzipped when the file starts with the gzip magic bytes. */
    public static InputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file), BUFFER);
        try {
            in.mark(2);
            boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
            in.reset();
            return gzip ? new BufferedInputStream(new GZIPInputStream(in, BUFFER), BUFFER) : in;
        } catch (IOException e) {
            in.close();
            throw e;
        }
    }

    /** A line reader over {@link #open}; bytes map one to one to chars (ISO-8859-1), so no input is rejected. */
    static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(open(file), StandardCharsets.ISO_8859_1), BUFFER);
    }

    /** {@code $SVDD_DATA/name} if it exists, else the first existing fallback, else null. */
    static Path locate(String name, List<Path> fallbacks) {
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env).resolve(name);
            if (Files.exists(p)) return p;
        }
        for (Path p : fallbacks) {
            if (Files.exists(p)) return p;
        }
        return null;
    }

    /** {@code data/name} in the working directory and each of its parents: where scripts/fetch-data.sh unpacks. */
    static List<Path> inProjectData(String name) {
        List<Path> out = new ArrayList<>();
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            out.add(dir.resolve("data").resolve(name));
        }
        return out;
    }
}
