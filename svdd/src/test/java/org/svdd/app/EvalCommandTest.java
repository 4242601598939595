package org.svdd.app;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `svdd eval --eta`: deterministic DDIM for an image model, and a named error for a model without a DDIM eta. */
class EvalCommandTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");
    private static final Path UNET = Path.of("../models/fashion-unet.safetensors");
    private static final Path CLASSIFIER = Path.of("../models/fashion-classifier.safetensors");

    @Test
    void etaReachesTheSampler() {
        String deterministic = report("0"), stochastic = report("1");
        assertTrue(deterministic.contains("eta 0.0") && stochastic.contains("eta 1.0"), deterministic + stochastic);
        // the same seed: eta = 0 adds no noise after x_T, eta = 1 does, so the samples (and their scores) differ
        assertNotEquals(scores(deterministic), scores(stochastic));
        assertEquals(scores(deterministic), scores(report("0")));
    }

    @Test
    void classTableShowsTheRealImagesConfidentShareOrWhyItIsMissing() {
        String r = report("0");
        List<String> rows = r.lines().dropWhile(l -> !l.startsWith("class ")).skip(1).limit(10).toList();
        assertEquals(10, rows.size(), r);
        boolean reference = !r.contains("reference skipped");
        assertEquals(reference, r.lines().anyMatch(l -> l.startsWith("class ") && l.trim().endsWith("real")), r);
        for (String row : rows) {
            String[] f = row.trim().split("\\s+");
            String last = f[f.length - 1];
            if (reference) {
                double real = Double.parseDouble(last);
                assertTrue(last.contains(".") && real >= 0 && real <= 1, row);
            } else {
                assertTrue(last.matches("\\d+"), row); // the argmax count ends the row: no real column
            }
        }
    }

    /** The report of `svdd eval` on 4 images of 3 DDIM steps with the given eta. */
    private static String report(String eta) {
        PrintStream stdout = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        try {
            Object[] r = Cli.run("eval", "--checkpoint", UNET.toString(), "--classifier", CLASSIFIER.toString(), "-n", "4", "--steps", "3", "--eta", eta);
            assertEquals(0, (int) r[0], (String) r[1]);
        } finally {
            System.setOut(stdout);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The report's line with the mean max-probability of the samples. */
    private static String scores(String report) {
        return report.lines().filter(l -> l.startsWith("samples with max p")).findFirst().orElseThrow();
    }

    @Test
    void etaForADnaModelIsNamed() {
        Object[] r = Cli.run("eval", "--checkpoint", DNA.toString(), "--eta", "0");
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--eta applies to image models") && ((String) r[1]).contains("DNA sequences"), (String) r[1]);
    }
}
