package org.svdd.chem;

import org.svdd.diffusion.data.SmilesFile;
import org.svdd.diffusion.data.Vocabulary;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Molecules as rows of SELFIES token ids for the masked transformer: {@code tokens} holds {@code count} rows of
 * {@code length} ids over {@code alphabet}, each row padded with "[nop]" ({@link SelfiesAlphabet#PAD}), which the
 * decoder skips. {@code smiles} are the molecules as the source wrote them.
 */
public record SelfiesDataset(int[] tokens, int count, int length, SelfiesAlphabet alphabet, List<String> smiles) {
    /** Token length of the WEHI models: every WEHI molecule that SELFIES encodes has at most 64 symbols (55 the longest). */
    public static final int WEHI_LENGTH = 64;

    public SelfiesDataset {
        if (count < 0 || length <= 0 || tokens.length != (long) count * length || smiles.size() != count) {
            throw new IllegalArgumentException(count + " molecules of " + length + " tokens do not match " + tokens.length + " tokens and " + smiles.size() + " SMILES");
        }
        smiles = List.copyOf(smiles);
    }

    /**
     * A file's molecules split 90/10 by a hash of each SMILES string (held out: hash mod 10 = 0), over the alphabet of
     * the whole file's symbols. Molecules that SELFIES cannot encode (CDK cannot kekulise some aromatic sulfones) or
     * that have more than {@code length} symbols are left out and counted in {@link Split#skipped}.
     */
    public static Split split(SmilesFile file, int length) {
        List<String> smiles = new ArrayList<>(), selfies = new ArrayList<>();
        int skipped = 0;
        for (String s : file.smiles()) {
            try {
                String e = Selfies.encode(s);
                if (Selfies.tokens(e).size() > length) {
                    skipped++;
                    continue;
                }
                smiles.add(s);
                selfies.add(e);
            } catch (SelfiesException e) {
                skipped++;
            }
        }
        SelfiesAlphabet alphabet = SelfiesAlphabet.of(selfies);
        List<Integer> train = new ArrayList<>(), held = new ArrayList<>();
        for (int i = 0; i < smiles.size(); i++) (Math.floorMod(smiles.get(i).hashCode(), 10) == 0 ? held : train).add(i);
        return new Split(of(train, smiles, selfies, alphabet, length), of(held, smiles, selfies, alphabet, length), skipped);
    }

    /** {@link #split} of the WEHI file ({@link SmilesFile#locateWehi}) at {@link #WEHI_LENGTH}. */
    public static Split wehi(Path csv) throws IOException {
        return split(SmilesFile.read(csv), WEHI_LENGTH);
    }

    private static SelfiesDataset of(List<Integer> rows, List<String> smiles, List<String> selfies, SelfiesAlphabet alphabet, int length) {
        int[] tokens = new int[rows.size() * length];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(alphabet.encode(selfies.get(rows.get(r)), length), 0, tokens, r * length, length);
        return new SelfiesDataset(tokens, rows.size(), length, alphabet, rows.stream().map(smiles::get).toList());
    }

    /** The training and held-out molecules, and how many of the file's were left out. */
    public record Split(SelfiesDataset train, SelfiesDataset validation, int skipped) {
    }

    /** The vocabulary of a model of these rows. */
    public Vocabulary vocabulary() {
        return new Vocabulary(Vocabulary.Notation.SELFIES, alphabet.symbols());
    }

    /** The tokens as longs, as the trainer takes them. */
    public long[] longTokens() {
        long[] t = new long[tokens.length];
        for (int i = 0; i < t.length; i++) t[i] = tokens[i];
        return t;
    }
}
