package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * FASTA files, gzip-compressed or plain: a {@code >} header line per record, whose first word is the record's id,
 * followed by its sequence over any number of lines. Blank lines are skipped.
 */
public final class Fasta {
    private static final int LINE_WIDTH = 60;

    private Fasta() {
    }

    /** One record: the header's first word and the sequence with line breaks and blanks removed, letters as written. */
    public record Record(String id, String sequence) {
    }

    /** All records of a file, in file order. */
    public static List<Record> read(Path file) throws IOException {
        List<Record> out = new ArrayList<>();
        try (BufferedReader r = DataFiles.reader(file)) {
            String id = null;
            StringBuilder seq = new StringBuilder();
            String line;
            for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
                if (line.startsWith(">")) {
                    if (id != null) out.add(new Record(id, seq.toString()));
                    String header = line.substring(1).strip();
                    if (header.isEmpty()) throw new IOException(file + ":" + lineNo + ": empty FASTA header");
                    id = header.split("\\s+", 2)[0];
                    seq.setLength(0);
                } else if (!line.isBlank()) {
                    if (id == null) throw new IOException(file + ":" + lineNo + ": sequence before the first '>' header");
                    for (int i = 0; i < line.length(); i++) {
                        if (!Character.isWhitespace(line.charAt(i))) seq.append(line.charAt(i));
                    }
                }
            }
            if (id != null) out.add(new Record(id, seq.toString()));
        }
        return out;
    }

    /** Appends one record ({@value #LINE_WIDTH} letters a line) and flushes, so samples reach the disk as they are made. */
    public static void append(Writer w, String id, String sequence) throws IOException {
        w.write(">" + id + "\n");
        for (int i = 0; i < sequence.length(); i += LINE_WIDTH) {
            w.write(sequence, i, Math.min(LINE_WIDTH, sequence.length() - i));
            w.write("\n");
        }
        w.flush();
    }
}
