package org.svdd.app;

import org.svdd.tensor.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.reward.ClassifierReward;
import org.svdd.reward.GcContent;
import org.svdd.reward.JpegCompressibility;
import org.svdd.reward.MotifReward;
import org.svdd.sampling.Guides;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code svdd score}: SMILES rewards against RDKit's numbers (the chem fixtures), DNA and image rewards against the
 * same reward objects called on tensors directly, and the command-line contract (usage errors before scoring, --out
 * never overwritten without --force).
 */
class ScoreCommandTest {
    /** RdkitAgreementTest's tolerances on QED and logP. */
    private static final double QED_TOL = 0.01, LOGP_TOL = 0.05;
    /** The CSV's rounding: 6 decimals. */
    private static final double ROUNDING = 5e-7;
    /** SaScoreTest's "identical" on SA, plus the rounding of (10 - SA) / 9 scaled back to SA. */
    private static final double SA_TOL = 1e-5 + 9 * ROUNDING;
    private static final int SIZE = 32;

    /** What a run printed: exit status, stdout (the CSV when there is no --out), stderr. */
    record Run(int status, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter(), err = new StringWriter();
        picocli.CommandLine cli = Main.commandLine(new PrintWriter(err, true));
        cli.setOut(new PrintWriter(out, true));
        int status = cli.execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** Runs score with the arguments to a CSV file and returns its rows without the header, each split at commas. */
    private static List<String[]> scores(Path dir, String... args) throws IOException {
        Path csv = dir.resolve("scores-" + System.nanoTime() + ".csv");
        List<String> all = new ArrayList<>(List.of("score"));
        all.addAll(List.of(args));
        all.addAll(List.of("--out", csv.toString()));
        Run r = run(all.toArray(String[]::new));
        assertEquals(0, r.status(), String.join(" ", all) + " -> " + r.err());
        List<String> lines = Files.readAllLines(csv);
        return lines.subList(1, lines.size()).stream().map(l -> l.split(",", -1)).toList();
    }

    /** A usage error (exit 2) whose message names the problem. */
    private static void usageError(String named, String... args) {
        Run r = run(args);
        assertEquals(Main.USAGE, r.status(), String.join(" ", args) + " -> " + r.err());
        assertTrue(r.err().contains(named), "names '" + named + "': " + r.err());
        assertTrue(r.out().isEmpty(), "no CSV after a usage error: " + r.out());
    }

    /** The data rows of a chem fixture, split at commas. */
    private static List<String[]> fixture(String resource) throws IOException {
        List<String[]> rows = new ArrayList<>();
        try (InputStream in = ScoreCommandTest.class.getResourceAsStream(resource)) {
            assertNotNull(in, "fixture " + resource + " missing");
            BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            for (String line; (line = r.readLine()) != null; )
                if (!line.startsWith("#") && !line.startsWith("smiles,")) rows.add(line.split(",", -1));
        }
        return rows;
    }

    /** The first n molecules of a fixture as a .smi file ("SMILES name" lines, names mol-0 ...), then one invalid string. */
    private static Path smiFile(Path dir, List<String[]> rows, int n) throws IOException {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) b.append(rows.get(i)[0]).append('\t').append("mol-").append(i).append('\n');
        b.append("C1CC\tbroken\n");                                   // unclosed ring
        return Files.writeString(dir.resolve("mols.smi"), b);
    }

    @Test
    void qedAndLogPAgreeWithRdkit(@TempDir Path dir) throws IOException {
        List<String[]> ref = fixture("/chem/rdkit-wehi-reference.csv");   // smiles, qed, logp, ...
        int n = 8;
        Path smi = smiFile(dir, ref, n);
        List<String[]> qed = scores(dir, "--reward", "qed", smi.toString()), logp = scores(dir, "--reward", "logp", smi.toString());
        assertEquals(n + 1, qed.size());
        for (int i = 0; i < n; i++) {
            assertEquals("mol-" + i, qed.get(i)[0]);
            assertEquals("1", qed.get(i)[2], "valid: " + ref.get(i)[0]);
            assertEquals(Double.parseDouble(ref.get(i)[1]), Double.parseDouble(qed.get(i)[1]), QED_TOL, "QED of " + ref.get(i)[0]);
            assertEquals(Double.parseDouble(ref.get(i)[2]), Double.parseDouble(logp.get(i)[1]), LOGP_TOL, "logP of " + ref.get(i)[0]);
        }
        assertEquals(List.of("broken", "0.000000", "0"), List.of(qed.get(n)), "an invalid molecule scores the reward's invalid score, 0");
        List<String[]> sum = scores(dir, "--reward", "sum:qed=1,logp=0.5", smi.toString());
        for (int i = 0; i < n; i++) {
            double expected = Double.parseDouble(qed.get(i)[1]) + 0.5 * Double.parseDouble(logp.get(i)[1]);
            assertEquals(expected, Double.parseDouble(sum.get(i)[1]), 3 * ROUNDING, "sum:qed=1,logp=0.5 of " + ref.get(i)[0]);
        }
    }

    @Test
    void saAgreesWithRdkit(@TempDir Path dir) throws IOException {
        List<String[]> ref = fixture("/chem/rdkit-wehi-sascore.csv");    // smiles, sa, ...
        int n = 8;
        List<String[]> sa = scores(dir, "--reward", "sa", smiFile(dir, ref, n).toString());
        for (int i = 0; i < n; i++) {
            double reward = Double.parseDouble(sa.get(i)[1]);             // (10 - SA) / 9
            assertEquals(Double.parseDouble(ref.get(i)[1]), 10 - 9 * reward, SA_TOL, "SA of " + ref.get(i)[0]);
        }
    }

    @Test
    void smilesIdsComeFromANameColumnTheSecondFieldOrTheLineNumber(@TempDir Path dir) throws IOException {
        Path csv = Files.writeString(dir.resolve("mols.csv"), "# made by hand\nSMILES,qed,name\nCCO,0.41,ethanol\nc1ccccc1, 0.44 ,benzene\n");
        List<String[]> rows = scores(dir, "--reward", "qed", csv.toString());
        assertEquals(List.of("ethanol", "benzene"), rows.stream().map(r -> r[0]).toList());
        // svdd sample's .smi form, SMILES TAB id TAB reward, with an empty sample; then a bare SMILES, named by its line
        Path smi = Files.writeString(dir.resolve("samples.txt"), "CCO\tsvdd-pm-0\t0.4\n\tsvdd-pm-1\t0.0\n\nCCN\n");
        rows = scores(dir, "--reward", "qed", smi.toString());
        assertEquals(List.of("svdd-pm-0", "svdd-pm-1", "4"), rows.stream().map(r -> r[0]).toList());
        assertEquals(List.of("svdd-pm-1", "0.000000", "0"), List.of(rows.get(1)), "the empty sample is invalid");
    }

    @Test
    void csvGoesToStdoutWithoutOut(@TempDir Path dir) throws IOException {
        Path smi = Files.writeString(dir.resolve("m.smi"), "CCO ethanol\n");
        Run r = run("score", "--reward", "logp", smi.toString());
        assertEquals(0, r.status(), r.err());
        assertEquals(List.of("id,score,valid", "ethanol,-0.001400,1"), r.out().lines().toList());
        r = run("score", "--reward", "gc:0.5", Files.writeString(dir.resolve("q.fa"), ">x,\"y\" z\nGGCA\n").toString());
        assertEquals(List.of("id,score", "\"x,\"\"y\"\"\",-0.250000"), r.out().lines().toList(), "an id with a comma or a quote is quoted");
    }

    /** Three records of two lengths, letters in either case, gzipped. */
    private static final String[][] RECORDS = {{"seq-1", "ACGTATAAAAGGCGCGCTTATATAAGG"}, {"seq-2", "ggggccccaattTTATAAA"}, {"seq-3", "TTTTCTATAAAAGGCACGTAAAAGGG"}};

    private static Path fasta(Path dir) throws IOException {
        Path f = dir.resolve("seqs.fa.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            for (String[] rec : RECORDS) out.write((">" + rec[0] + " a comment\n" + rec[1] + "\n").getBytes(StandardCharsets.US_ASCII));
        }
        return f;
    }

    /** One sequence as the (1, L) tokens a DNA model makes. */
    private static Tensor tokens(String seq) {
        return Tensor.ofLongs(Arrays.stream(DnaDataset.encode(seq)).asLongStream().toArray(), 1, seq.length());
    }

    @Test
    void motifAndGcMatchTheRewardsOnTokens(@TempDir Path dir) throws IOException {
        Path fa = fasta(dir);
        MotifReward motif = new MotifReward(RewardSpec.motif("TBP"));
        GcContent gc = new GcContent(0.4);
        List<String[]> m = scores(dir, "--reward", "motif:TBP", fa.toString()), g = scores(dir, "--reward", "gc:0.4", fa.toString());
        for (int i = 0; i < RECORDS.length; i++) {
            assertEquals(RECORDS[i][0], m.get(i)[0]);
            assertEquals(2, m.get(i).length, "id,score only");
            assertEquals(motif.score(tokens(RECORDS[i][1]))[0], Double.parseDouble(m.get(i)[1]), ROUNDING, "motif:TBP of " + RECORDS[i][0]);
            assertEquals(gc.score(tokens(RECORDS[i][1]))[0], Double.parseDouble(g.get(i)[1]), ROUNDING, "gc:0.4 of " + RECORDS[i][0]);
        }
    }

    @Test
    void theOracleScoresSequencesOfItsLength(@TempDir Path dir) throws IOException {
        Rng rng = new Rng(7);
        StringBuilder fa = new StringBuilder();
        String[] seqs = new String[3];
        for (int i = 0; i < seqs.length; i++) {
            StringBuilder s = new StringBuilder();
            for (int j = 0; j < 128; j++) s.append(DnaDataset.ALPHABET.charAt(rng.nextInt(4)));
            seqs[i] = s.toString();
            fa.append(">s").append(i).append('\n').append(seqs[i]).append('\n');
        }
        Path file = Files.writeString(dir.resolve("o.fasta"), fa);
        List<String[]> rows = scores(dir, "--reward", "oracle", file.toString());
        var oracle = Guides.surrogate(ValueNet.load(Path.of("../models/dna-oracle.safetensors"), Backends.current()));
        for (int i = 0; i < seqs.length; i++)
            assertEquals(oracle.score(tokens(seqs[i]))[0], Double.parseDouble(rows.get(i)[1]), 1e-4, "oracle of s" + i);
        Files.writeString(file, ">short\nACGT\n");
        usageError("exactly 128 bases (the oracle's length); record short has 4", "score", "--reward", "oracle", file.toString());
    }

    /** A seeded 32x32 grey image: a bright square on noise. */
    private static BufferedImage image(long seed) {
        Rng rng = new Rng(seed);
        BufferedImage img = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < SIZE; y++)
            for (int x = 0; x < SIZE; x++) img.getRaster().setSample(x, y, 0, x > 8 && x < 20 && y > 8 && y < 24 ? 230 : rng.nextInt(60));
        return img;
    }

    /** The images as the (B, 1, S, S) tensor in [-1, 1] that an image model makes. */
    private static Tensor tensor(List<BufferedImage> images) {
        float[] px = new float[images.size() * SIZE * SIZE];
        for (int k = 0; k < images.size(); k++)
            for (int y = 0; y < SIZE; y++)
                for (int x = 0; x < SIZE; x++) px[(k * SIZE + y) * SIZE + x] = images.get(k).getRaster().getSample(x, y, 0) / 127.5f - 1;
        return Tensor.of(px, images.size(), 1, SIZE, SIZE);
    }

    @Test
    void jpegAndClassifierMatchTheRewardsOnTensors(@TempDir Path dir) throws IOException {
        Path folder = Files.createDirectories(dir.resolve("pngs"));
        BufferedImage grey = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < SIZE; y++) for (int x = 0; x < SIZE; x++) grey.getRaster().setSample(x, y, 0, 128);
        List<BufferedImage> images = List.of(image(1), image(2), grey);
        for (int k = 0; k < images.size(); k++) ImageIO.write(images.get(k), "png", folder.resolve("img-" + k + ".png").toFile());
        Files.writeString(folder.resolve("notes.txt"), "not an image");
        double[] jpeg = new JpegCompressibility().score(tensor(images));
        List<String[]> rows = scores(dir, "--reward", "jpeg", folder.toString());
        assertEquals(List.of("img-0.png", "img-1.png", "img-2.png"), rows.stream().map(r -> r[0]).toList(), "the folder's PNGs in name order");
        for (int k = 0; k < images.size(); k++) assertEquals(jpeg[k], Double.parseDouble(rows.get(k)[1]), ROUNDING, "jpeg of img-" + k);
        assertEquals(0, Double.parseDouble(rows.get(2)[1]), 0, "a uniform mid-grey image (pixel value 0) is the calibration: 0");

        // an RGB file whose pixels are grey is read as the grey image
        BufferedImage rgb = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < SIZE; y++)
            for (int x = 0; x < SIZE; x++) {
                int v = images.get(1).getRaster().getSample(x, y, 0);
                rgb.setRGB(x, y, v << 16 | v << 8 | v);
            }
        Path rgbFile = dir.resolve("rgb.png");
        ImageIO.write(rgb, "png", rgbFile.toFile());
        rows = scores(dir, "--reward", "jpeg", rgbFile.toString(), folder.resolve("img-0.png").toString());
        assertEquals(jpeg[1], Double.parseDouble(rows.get(0)[1]), ROUNDING);
        assertEquals(jpeg[0], Double.parseDouble(rows.get(1)[1]), ROUNDING);

        double[] clf = ClassifierReward.load(Path.of("../" + RewardSpec.DEFAULT_CLASSIFIER), 3, Backends.current()).score(tensor(images));
        rows = scores(dir, "--reward", "classifier:3", folder.toString());
        for (int k = 0; k < images.size(); k++) assertEquals(clf[k], Double.parseDouble(rows.get(k)[1]), 1e-4, "classifier:3 of img-" + k);
    }

    @Test
    void execGetsTheSamplesAsDuringSampling(@TempDir Path dir) throws IOException {
        Path smi = Files.writeString(dir.resolve("m.smi"), "CCO a\nc1ccccc1 b\n");
        List<String[]> rows = scores(dir, "--reward", "exec:awk '{ print length($0) }'", smi.toString());
        assertEquals(List.of("3.000000", "8.000000"), rows.stream().map(r -> r[1]).toList(), "SMILES, one per line");
        rows = scores(dir, "--reward", "exec:awk '{ print gsub(/[GC]/, \"\") }'", fasta(dir).toString());
        for (int i = 0; i < RECORDS.length; i++) {
            long gc = RECORDS[i][1].toUpperCase().chars().filter(c -> c == 'G' || c == 'C').count();
            assertEquals(gc, Double.parseDouble(rows.get(i)[1]), 0, "letters upper-cased, as the DNA models' samples: " + RECORDS[i][0]);
        }
    }

    @Test
    void whatDoesNotFitIsAUsageErrorBeforeScoring(@TempDir Path dir) throws IOException {
        Path smi = Files.writeString(dir.resolve("m.smi"), "CCO\n"), fa = fasta(dir);
        Path out = dir.resolve("never.csv");
        usageError("cannot tell the format from the name", "score", "--reward", "qed", Files.writeString(dir.resolve("m.sdf"), "CCO\n").toString());
        usageError("unknown --format 'pdb' (known: smiles, fasta, png)", "score", "--reward", "qed", "--format", "pdb", smi.toString());
        usageError("holds no SMILES", "score", "--reward", "qed", Files.writeString(dir.resolve("empty.smi"), "\n# nothing\nsmiles\n").toString());
        usageError("holds no FASTA record", "score", "--reward", "gc:0.5", Files.writeString(dir.resolve("empty.fa"), "").toString());
        usageError("--reward qed scores molecules, but the input is fasta (DNA sequences)", "score", "--reward", "qed", fa.toString(), "--out", out.toString());
        usageError("--reward jpeg scores images, but the input is smiles (molecules)", "score", "--reward", "jpeg", smi.toString());
        usageError("--reward gc:0.5 scores DNA sequences, but the input is smiles", "score", "--reward", "gc:0.5", "--format", "smiles", fa.toString());
        usageError("--reward gc:1.5: GC target must be in [0, 1]", "score", "--reward", "gc:1.5", fa.toString());
        usageError("needs sequences of at least 15 bases (the motif's width); record x has 10", "score", "--reward", "motif:TBP",
                Files.writeString(dir.resolve("short.fa"), ">x\nACGTACGTAC\n").toString());
        usageError("record n has 'N' at position 3", "score", "--reward", "gc:0.5", Files.writeString(dir.resolve("n.fa"), ">n\nACNT\n").toString());
        usageError("no such file", "score", "--reward", "qed", dir.resolve("missing.smi").toString());
        usageError("Missing required option: '--reward=SPEC'", "score", smi.toString());

        BufferedImage colour = new BufferedImage(SIZE, SIZE, BufferedImage.TYPE_INT_RGB);
        colour.setRGB(3, 4, 0xff0000);
        Path png = dir.resolve("colour.png");
        ImageIO.write(colour, "png", png.toFile());
        usageError("colour.png is a colour image (pixel (3, 4) is #ff0000)", "score", "--reward", "jpeg", png.toString());
        ImageIO.write(new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY), "png", png.toFile());
        Path small = dir.resolve("small.png");
        ImageIO.write(image(1), "png", small.toFile());
        usageError("all images must have one size", "score", "--reward", "jpeg", small.toString(), png.toString());
        usageError("the classifier takes 1x32x32 images, the inputs are 1x64x64", "score", "--reward", "classifier:1", png.toString());
        assertFalse(Files.exists(out), "a refused command writes nothing");
    }

    @Test
    void outIsNotOverwrittenWithoutForce(@TempDir Path dir) throws IOException {
        Path smi = Files.writeString(dir.resolve("m.smi"), "CCO ethanol\n");
        Path out = Files.writeString(dir.resolve("scores.csv"), "an earlier run");
        usageError("--out " + out + " exists; pass --force to overwrite it", "score", "--reward", "qed", smi.toString(), "--out", out.toString());
        assertEquals("an earlier run", Files.readString(out));
        Run r = run("score", "--reward", "qed", smi.toString(), "--out", out.toString(), "--force");
        assertEquals(0, r.status(), r.err());
        assertTrue(Files.readString(out).startsWith("id,score,valid\nethanol,0.4068"), Files.readString(out));
    }
}
