package org.svdd.app;

import org.svdd.app.RewardSpec.Samples;
import org.svdd.chem.Molecules;
import org.svdd.diffusion.data.DataFiles;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.Fasta;
import org.svdd.reward.ClassifierReward;
import org.svdd.reward.ExecReward;
import org.svdd.reward.Reward;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import javax.imageio.ImageIO;
import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.Raster;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Scores samples read from files with a reward, without a diffusion model: one CSV row per sample, {@code id,score}
 * (and {@code valid} for SMILES), so that rewards can be checked against other tools. The samples are turned into the
 * tensors a model's samples are ({@link Samples}) and go through the same {@link Reward#score} as during sampling:
 * SMILES as (B, 1) indices into the file's lines ({@link #lookup}), DNA as {@link DnaDataset#encode} tokens, PNG images as
 * (B, 1, S, S) in [-1, 1].
 * Everything that can be wrong with the command line or the inputs (the format, an empty file, a reward that does
 * not read this kind of sample, a length or size the reward cannot take) is a usage error found before scoring starts.
 */
@Command(name = "score", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Score samples from files with a reward, without a model: CSV id,score (and valid for SMILES), one row per sample.",
                "Formats, by extension or --format: smiles (.smi .smiles .txt .csv: the first field of each line, split at whitespace or commas; "
                        + "a header line whose first field is 'smiles' is skipped, lines starting with # too), fasta (.fa .fasta .fna: one record per "
                        + "sequence, letters ACGT in either case), either of them gzipped (.gz); png (PNG files or folders of them: square greyscale "
                        + "images, all the same size; an RGB or palette image whose pixels are all grey is read as greyscale, a colour image is refused).",
                "The id is the FASTA record's first word, the PNG file's name, or for SMILES the 'name' or 'id' column of a header, else the "
                        + "second field (the .smi form 'SMILES name'), else the line number."})
final class ScoreCommand implements Callable<Integer> {
    /** Rows per call of the reward. */
    private static final int CHUNK = 256;

    @Spec
    CommandSpec spec;

    @Option(names = "--reward", required = true, paramLabel = "SPEC", description = "Reward spec (" + RewardSpec.KNOWN + "). "
            + "DNA: motif needs sequences at least as long as the motif, oracle exactly its length; gc and exec take any lengths. "
            + "Images: classifier needs its image size; exec gets PNG files as during sampling. SMILES: an invalid molecule scores 0 (exec: what the program says).")
    String reward;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "One SMILES or FASTA file, or PNG files and folders of PNG files.")
    List<Path> files;

    @Option(names = "--format", paramLabel = "FORMAT", description = "smiles, fasta or png. Default: from the extension.")
    String format;

    @Option(names = "--out", paramLabel = "FILE", description = "CSV file to write (atomically). Default: the CSV goes to stdout.")
    Path out;

    @Option(names = "--force", description = "Overwrite an existing --out file.")
    boolean force;

    @Mixin
    ExecOptionsMixin execOptions;

    /** An input format and the kind of samples it holds. */
    enum Format {
        SMILES(Samples.MOLECULES, List.of(".smi", ".smiles", ".txt", ".csv")),
        FASTA(Samples.DNA, List.of(".fa", ".fasta", ".fna")),
        PNG(Samples.IMAGES, List.of(".png"));

        final Samples samples;
        final List<String> extensions;

        Format(Samples samples, List<String> extensions) {
            this.samples = samples;
            this.extensions = extensions;
        }

        /** --format's value. */
        static Format parse(String name) {
            return switch (name.toLowerCase(Locale.ROOT)) {
                case "smiles" -> SMILES;
                case "fasta" -> FASTA;
                case "png" -> PNG;
                default -> throw new Usage.Error("unknown --format '" + name + "' (known: smiles, fasta, png)");
            };
        }

        /** The format a path's name says (a folder holds PNGs; text formats may end in .gz), or null. */
        static Format of(Path file) {
            if (Files.isDirectory(file)) return PNG;
            String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
            for (Format f : values()) {
                String text = f == PNG ? name : name.replaceFirst("\\.gz$", "");
                if (f.extensions.stream().anyMatch(text::endsWith)) return f;
            }
            return null;
        }
    }

    /** Samples read from the inputs, in input order, each with its id. */
    sealed interface Inputs {
        List<String> ids();
    }

    record SmilesInputs(List<String> ids, List<String> smiles) implements Inputs {
    }

    /** tokens: one row per record, A=0, C=1, G=2, T=3, of any length. */
    record DnaInputs(List<String> ids, List<int[]> tokens) implements Inputs {
    }

    /** pixels: one (size, size) image per file, in [-1, 1]. */
    record ImageInputs(List<String> ids, List<float[]> pixels, int size) implements Inputs {
    }

    @Override
    public Integer call() throws IOException {
        Task.ExecOptions exec = execOptions.exec();
        RewardSpec rewardSpec = RewardSpec.parse(reward);
        for (Path f : files) Usage.require(Files.exists(f), f + ": no such file");
        Format fmt = format != null ? Format.parse(format) : formatOf(files);
        if (rewardSpec.samples() != null)
            Usage.require(rewardSpec.samples() == fmt.samples, "--reward " + reward + " scores " + rewardSpec.samples().plural + ", but the input is "
                    + fmt.name().toLowerCase(Locale.ROOT) + " (" + fmt.samples.plural + ")");
        if (fmt != Format.PNG) {
            Usage.require(files.size() == 1, "give one " + fmt.name().toLowerCase(Locale.ROOT) + " file, not " + files.size());
            Usage.inputFile(files.getFirst(), "FILE");
        }
        if (out != null) Usage.outputFile(out, "--out", force);

        Inputs in = switch (fmt) {
            case SMILES -> readSmiles(files.getFirst());
            case FASTA -> readFasta(files.getFirst());
            case PNG -> readImages(files);
        };
        checkFits(rewardSpec, in);
        Path work = fmt == Format.PNG && rewardSpec.samples() == null ? Files.createTempDirectory("svdd-score-") : null;   // exec: its PNG files
        double[] scores;
        try {
            Function<Tensor, List<String>> texts = switch (in) {
                case SmilesInputs s -> lookup(s.smiles());
                case DnaInputs d -> ExecReward.letters(DnaDataset.ALPHABET);
                case ImageInputs i -> null;
            };
            Reward r;
            try {
                r = rewardSpec.build(fmt.samples, texts, work, exec, Backends.current());
            } catch (IllegalArgumentException e) {   // a value the spec's syntax allows and the reward does not (gc:1.5)
                throw new Usage.Error("--reward " + reward + ": " + e.getMessage());
            }
            if (r instanceof ClassifierReward c && in instanceof ImageInputs images) {
                int size = c.classifier().config().imageSize(), channels = c.classifier().config().channels();
                Usage.require(size == images.size() && channels == 1, "--reward " + reward + ": the classifier takes " + channels + "x" + size + "x" + size
                        + " images, the inputs are 1x" + images.size() + "x" + images.size());
            }
            scores = score(r, in);
        } finally {
            if (work != null) Files.deleteIfExists(work);
        }

        boolean[] valid = in instanceof SmilesInputs s ? valid(s.smiles()) : null;
        if (out == null) {
            PrintWriter w = spec.commandLine().getOut();
            writeCsv(w, in.ids(), scores, valid);
            w.flush();
        } else {
            Comparison.atomically(out, w -> writeCsv(w, in.ids(), scores, valid));
            System.out.printf("scored %d samples with %s; wrote %s%n", scores.length, reward, out);
        }
        return 0;
    }

    /** The format the inputs' names say; a usage error when one says none or they disagree. */
    static Format formatOf(List<Path> files) {
        Format found = null;
        for (Path f : files) {
            Format fmt = Format.of(f);
            Usage.require(fmt != null, f + ": cannot tell the format from the name (known: .smi .smiles .txt .csv, .fa .fasta .fna, "
                    + "either with .gz, .png or a folder); pass --format smiles|fasta|png");
            if (found != null && fmt != found)
                throw new Usage.Error("the inputs are of different formats: " + files.getFirst() + " is " + found.name().toLowerCase(Locale.ROOT) + ", "
                        + f + " is " + fmt.name().toLowerCase(Locale.ROOT));
            found = fmt;
        }
        return found;
    }

    private static final Pattern FIELD_SEPARATOR = Pattern.compile("\\s*,\\s*|\\s+");

    /**
     * One SMILES per line, the first field; the id is the header's name or id column if the file has a header (a first
     * line whose first field is "smiles"), else the second field, else the line number. Blank lines and lines starting
     * with # are skipped. The first field may be empty (an empty sample, as svdd sample writes one): it is invalid.
     */
    static SmilesInputs readSmiles(Path file) throws IOException {
        List<String> ids = new ArrayList<>(), smiles = new ArrayList<>();
        int nameColumn = 1;
        boolean first = true;
        try (BufferedReader r = textReader(file)) {
            String line;
            for (int lineNo = 1; (line = r.readLine()) != null; lineNo++) {
                if (line.isBlank() || line.startsWith("#")) continue;
                String[] f = FIELD_SEPARATOR.split(line.stripTrailing(), -1);
                if (first && f[0].equalsIgnoreCase("smiles")) {
                    List<String> columns = Arrays.stream(f).map(c -> c.toLowerCase(Locale.ROOT)).toList();
                    nameColumn = columns.contains("name") ? columns.indexOf("name") : columns.indexOf("id");
                    first = false;
                    continue;
                }
                first = false;
                smiles.add(f[0]);
                ids.add(nameColumn >= 1 && nameColumn < f.length && !f[nameColumn].isEmpty() ? f[nameColumn] : Integer.toString(lineNo));
            }
        }
        Usage.require(!smiles.isEmpty(), file + " holds no SMILES (blank lines, lines starting with # and a 'smiles' header line are skipped)");
        return new SmilesInputs(ids, smiles);
    }

    /** One sample per FASTA record, its letters encoded as the DNA models' tokens; only A, C, G, T (either case). */
    static DnaInputs readFasta(Path file) {
        List<Fasta.Record> records;
        try {
            records = Fasta.read(file);
        } catch (IOException e) {
            throw new Usage.Error(file + " is not a FASTA file: " + e.getMessage());
        }
        Usage.require(!records.isEmpty(), file + " holds no FASTA record");
        List<String> ids = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        for (Fasta.Record rec : records) {
            Usage.require(!rec.sequence().isEmpty(), file + ": record " + rec.id() + " has no sequence");
            int[] t = DnaDataset.encode(rec.sequence());
            if (t == null) {
                int at = 0;
                while (DnaDataset.ALPHABET.indexOf(Character.toUpperCase(rec.sequence().charAt(at))) >= 0) at++;
                throw new Usage.Error(file + ": record " + rec.id() + " has '" + rec.sequence().charAt(at) + "' at position " + (at + 1)
                        + "; the DNA rewards read the letters A, C, G, T (either case)");
            }
            ids.add(rec.id());
            tokens.add(t);
        }
        return new DnaInputs(ids, tokens);
    }

    /** PNG files, and the .png files of folders in name order; all square, greyscale and of one size. */
    static ImageInputs readImages(List<Path> inputs) throws IOException {
        List<Path> pngs = new ArrayList<>();
        for (Path p : inputs) {
            if (!Files.isDirectory(p)) {
                pngs.add(p);
                continue;
            }
            try (Stream<Path> entries = Files.list(p)) {
                List<Path> inside = entries.filter(f -> Files.isRegularFile(f) && f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png"))
                        .sorted().toList();
                Usage.require(!inside.isEmpty(), p + " holds no .png file");
                pngs.addAll(inside);
            }
        }
        List<String> ids = new ArrayList<>();
        List<float[]> pixels = new ArrayList<>();
        int size = -1;
        for (Path f : pngs) {
            BufferedImage img;
            try {
                img = ImageIO.read(f.toFile());
            } catch (IOException e) {
                throw new Usage.Error(f + " is not a readable image: " + e.getMessage());
            }
            Usage.require(img != null, f + " is not a PNG image");
            Usage.require(img.getWidth() == img.getHeight(), f + " is " + img.getWidth() + "x" + img.getHeight() + "; the image rewards take square images");
            Usage.require(size < 0 || img.getWidth() == size, f + " is " + img.getWidth() + "x" + img.getHeight() + ", " + pngs.getFirst() + " is "
                    + size + "x" + size + "; all images must have one size");
            size = img.getWidth();
            ids.add(f.getFileName().toString());
            pixels.add(grey(img, f));
        }
        return new ImageInputs(ids, pixels, size);
    }

    /**
     * The pixels of a greyscale image in [-1, 1], row by row: v = 2 s / max - 1 for a sample s of a grey image of any bit
     * depth (8 bits: the inverse of PngGrid.toByte). An RGB or palette image is read as greyscale when every pixel is grey
     * (r = g = b) and opaque; otherwise it is refused.
     */
    static float[] grey(BufferedImage img, Path file) {
        int n = img.getWidth();
        float[] px = new float[n * n];
        Raster raster = img.getRaster();
        if (img.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY) {     // read the samples: getRGB would apply a gamma
            double max = (1 << img.getColorModel().getComponentSize(0)) - 1;
            boolean alpha = raster.getNumBands() > 1;
            for (int y = 0; y < n; y++)
                for (int x = 0; x < n; x++) {
                    if (alpha && raster.getSample(x, y, 1) != max) throw transparent(file, x, y);
                    px[y * n + x] = (float) (raster.getSample(x, y, 0) * 2 / max - 1);
                }
            return px;
        }
        for (int y = 0; y < n; y++)
            for (int x = 0; x < n; x++) {
                int argb = img.getRGB(x, y), r = argb >> 16 & 0xff, g = argb >> 8 & 0xff, b = argb & 0xff;
                if (argb >>> 24 != 0xff) throw transparent(file, x, y);
                if (r != g || g != b)
                    throw new Usage.Error(String.format(Locale.ROOT, "%s is a colour image (pixel (%d, %d) is #%06x); the image rewards take greyscale "
                            + "images: convert it first (e.g. ImageMagick: magick in.png -colorspace Gray out.png)", file, x, y, argb & 0xffffff));
                px[y * n + x] = r / 127.5f - 1;
            }
        return px;
    }

    private static Usage.Error transparent(Path file, int x, int y) {
        return new Usage.Error(file + " has transparent pixels, e.g. at (" + x + ", " + y + "); the image rewards take opaque greyscale images");
    }

    /** Length limits of the DNA rewards: motif, at least its width; oracle, exactly its length. */
    static void checkFits(RewardSpec rewardSpec, Inputs in) throws IOException {
        if (!(in instanceof DnaInputs dna)) return;
        int min = 1, exact = -1;
        if (rewardSpec instanceof RewardSpec.Motif m) min = m.motif().length();
        if (rewardSpec instanceof RewardSpec.Oracle o) exact = ValueNet.load(o.file(), Backends.current()).config().size();
        for (int i = 0; i < dna.tokens().size(); i++) {
            int l = dna.tokens().get(i).length;
            if (l < min)
                throw new Usage.Error("--reward " + rewardSpec.text() + " needs sequences of at least " + min + " bases (the motif's width); record "
                        + dna.ids().get(i) + " has " + l);
            if (exact >= 0 && l != exact)
                throw new Usage.Error("--reward " + rewardSpec.text() + " reads sequences of exactly " + exact + " bases (the oracle's length); record "
                        + dna.ids().get(i) + " has " + l);
        }
    }

    /** Samples (B, 1) that are indices into the list of SMILES read as those SMILES: how rewards see SMILES inputs. */
    static Function<Tensor, List<String>> lookup(List<String> smiles) {
        return x -> Arrays.stream(x.toLongArray()).mapToObj(i -> smiles.get((int) i)).toList();
    }

    /** Whether each SMILES is a valid molecule ({@link Molecules#isValid}). */
    static boolean[] valid(List<String> smiles) {
        boolean[] valid = new boolean[smiles.size()];
        for (int i = 0; i < valid.length; i++) valid[i] = Molecules.isValid(smiles.get(i));
        return valid;
    }

    /** One score per sample, {@value #CHUNK} samples per call of the reward; DNA sequences go by length, as (B, L) needs one L. */
    static double[] score(Reward r, Inputs in) {
        double[] out = new double[in.ids().size()];
        switch (in) {
            case SmilesInputs s -> {
                for (int from = 0; from < out.length; from += CHUNK) {
                    int b = Math.min(CHUNK, out.length - from);
                    long[] rows = new long[b];
                    for (int k = 0; k < b; k++) rows[k] = from + k;
                    System.arraycopy(r.score(Tensor.ofLongs(rows, b, 1)), 0, out, from, b);       // (B, 1) indices, see lookup
                }
            }
            case DnaInputs d -> {
                Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
                for (int i = 0; i < out.length; i++) byLength.computeIfAbsent(d.tokens().get(i).length, k -> new ArrayList<>()).add(i);
                byLength.forEach((l, rows) -> {
                    for (int from = 0; from < rows.size(); from += CHUNK) {
                        List<Integer> part = rows.subList(from, Math.min(rows.size(), from + CHUNK));
                        long[] t = new long[part.size() * l];
                        for (int k = 0; k < part.size(); k++) {
                            int[] seq = d.tokens().get(part.get(k));
                            for (int j = 0; j < l; j++) t[k * l + j] = seq[j];
                        }
                        double[] s = r.score(Tensor.ofLongs(t, part.size(), l));                    // (B, L) tokens
                        for (int k = 0; k < part.size(); k++) out[part.get(k)] = s[k];
                    }
                });
            }
            case ImageInputs im -> {
                int px = im.size() * im.size();
                for (int from = 0; from < out.length; from += CHUNK) {
                    int b = Math.min(CHUNK, out.length - from);
                    float[] x = new float[b * px];
                    for (int k = 0; k < b; k++) System.arraycopy(im.pixels().get(from + k), 0, x, k * px, px);
                    System.arraycopy(r.score(Tensor.of(x, b, 1, im.size(), im.size())), 0, out, from, b);   // (B, 1, S, S)
                }
            }
        }
        return out;
    }

    /** The CSV: id,score (6 decimals), and valid (1/0) for SMILES. */
    static void writeCsv(PrintWriter w, List<String> ids, double[] scores, boolean[] valid) {
        w.println(valid == null ? "id,score" : "id,score,valid");
        for (int i = 0; i < scores.length; i++)
            w.printf(Locale.ROOT, "%s,%.6f%s%n", csvField(ids.get(i)), scores[i], valid == null ? "" : valid[i] ? ",1" : ",0");
    }

    /** A CSV field, quoted when it holds a comma, a quote or a line break. */
    static String csvField(String s) {
        return s.matches("(?s).*[,\"\r\n].*") ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }

    /** The lines of a text file (UTF-8), gunzipped when it starts with gzip's magic bytes ({@link DataFiles#open}). */
    private static BufferedReader textReader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(DataFiles.open(file), StandardCharsets.UTF_8));
    }
}
