package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Molecules as SMILES strings with their ids, as a two-column CSV file holds them. Models do not read SMILES
 * characters: {@code org.svdd.chem.SelfiesDataset} turns these into SELFIES tokens.
 *
 * <p>The source is rdkit-data's {@code wehi_mols.csv}: 10,000 lines of {@code "SMILES","WEHI-id"}, no header.
 */
public record SmilesFile(List<String> smiles, List<String> ids) {
    /** The WEHI molecules as installed by the Debian package rdkit-data. */
    public static final Path WEHI_SYSTEM = Path.of("/usr/share/RDKit/Data/Pains/test_data/wehi_mols.csv");

    public SmilesFile {
        if (smiles.size() != ids.size()) throw new IllegalArgumentException(smiles.size() + " SMILES but " + ids.size() + " ids");
        smiles = List.copyOf(smiles);
        ids = List.copyOf(ids);
    }

    /** {@code $SVDD_DATA/wehi_mols.csv}, else {@link #WEHI_SYSTEM}; null if neither exists. */
    public static Path locateWehi() {
        return DataFiles.locate(WEHI_SYSTEM.getFileName().toString(), List.of(WEHI_SYSTEM));
    }

    /** The molecules of a two-column CSV file: {@code SMILES,id}, fields optionally in double quotes, no header, blank lines skipped. */
    public static SmilesFile read(Path csv) throws IOException {
        List<String> smiles = new ArrayList<>(), ids = new ArrayList<>();
        try (BufferedReader r = DataFiles.reader(csv)) {
            String line;
            for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
                if (line.isBlank()) continue;
                List<String> fields = csvFields(line);
                if (fields.size() != 2 || fields.get(0).isEmpty()) {
                    throw new IOException(csv + ":" + lineNo + ": expected two fields \"SMILES\",\"id\", found: " + line);
                }
                smiles.add(fields.get(0));
                ids.add(fields.get(1));
            }
        }
        return new SmilesFile(smiles, ids);
    }

    public int count() {
        return smiles.size();
    }

    /** The fields of one CSV line: comma-separated, each optionally in double quotes with {@code ""} for a quote. */
    private static List<String> csvFields(String line) {
        List<String> fields = new ArrayList<>();
        StringBuilder f = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted) {
                if (c != '"') f.append(c);
                else if (i + 1 < line.length() && line.charAt(i + 1) == '"') f.append(line.charAt(++i));
                else quoted = false;
            } else if (c == '"') {
                quoted = true;
            } else if (c == ',') {
                fields.add(f.toString());
                f.setLength(0);
            } else {
                f.append(c);
            }
        }
        fields.add(f.toString());
        return fields;
    }
}
