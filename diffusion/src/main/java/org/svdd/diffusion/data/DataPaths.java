package org.svdd.diffusion.data;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the offline data sets live: {@code $SVDD_DATA/<relative>}, then {@code data/root/<system path>} under the
 * working directory or its parents (what scripts/fetch-data.sh unpacks), then the system path itself.
 */
public final class DataPaths {
    public static final String FASHION_MNIST = "usr/share/datasets/fashion-mnist";
    public static final String DM3_PROMOTERS = "usr/lib/R/site-library/Biostrings/extdata/dm3_upstream2000.fa.gz";
    public static final String JASPAR_DIR = "usr/lib/R/site-library/PWMEnrich/extdata";
    public static final String WEHI_SMILES = "usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv";

    private DataPaths() {
    }

    /** The first existing location of a system-relative path, or null. */
    public static Path locate(String systemRelative) {
        String env = System.getenv("SVDD_DATA");
        if (env != null) {
            Path p = Path.of(env).resolve(systemRelative);
            if (Files.exists(p)) return p;
        }
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("data/root").resolve(systemRelative);
            if (Files.exists(p)) return p;
        }
        Path sys = Path.of("/").resolve(systemRelative);
        return Files.exists(sys) ? sys : null;
    }

    /** Like {@link #locate} but fails with a message that says how to get the data. */
    public static Path require(String systemRelative, String what) {
        Path p = locate(systemRelative);
        if (p == null) {
            throw new IllegalStateException(what + " not found (looked in $SVDD_DATA, data/root and /" + systemRelative + "): run scripts/fetch-data.sh");
        }
        return p;
    }
}
