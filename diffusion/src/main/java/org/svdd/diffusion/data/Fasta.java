package org.svdd.diffusion.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPInputStream;

/** FASTA records: '>' header lines followed by sequence lines; .gz is read transparently. */
public final class Fasta {
    private Fasta() {
    }

    public record Record(String id, String sequence) {
    }

    public static List<Record> read(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        if (file.toString().endsWith(".gz")) in = new GZIPInputStream(in, 1 << 16);
        List<Record> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            String id = null;
            StringBuilder seq = new StringBuilder();
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.startsWith(">")) {
                    if (id != null) out.add(new Record(id, seq.toString()));
                    id = line.substring(1).trim().split("\\s+")[0];
                    seq.setLength(0);
                } else if (!line.isBlank()) {
                    if (id == null) throw new IOException(file + ":" + lineNo + ": sequence before the first '>' header");
                    seq.append(line.trim());
                }
            }
            if (id != null) out.add(new Record(id, seq.toString()));
        }
        return out;
    }

    /** Appends records (60 letters a line) and flushes, so samples are on disk as they are made. */
    public static void append(Writer w, String id, String sequence) throws IOException {
        w.write(">" + id + "\n");
        for (int i = 0; i < sequence.length(); i += 60) w.write(sequence, i, Math.min(60, sequence.length() - i));
        w.write("\n");
        w.flush();
    }
}
