package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtomContainer;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;

/**
 * The synthetic accessibility score of Ertl and Schuffenhauer (J. Cheminf. 1 (2009) 8), as RDKit's
 * {@code Contrib/SA_Score/sascorer.py} computes it, from 1 (easy to make) to 10 (hard).
 * <pre>
 *   fragmentScore  = sum_f c(f) n(f) / sum_f n(f)      f: Morgan radius-2 environments ({@link MorganEnvironments}),
 *                                                      n(f) occurrences, c(f) RDKit's contribution, -4 if absent
 *   complexity     = (N^1.005 - N) + log10(stereo + 1) + log10(spiro + 1) + log10(bridgeheads + 1)
 *                    + (macrocycles > 0 ? log10 2 : 0)   N heavy atoms; macrocycle = ring of more than 8 atoms
 *   symmetry       = N > F ? 0.5 ln(N / F) : 0         F distinct environments (fingerprint density, sascorer 1.1)
 *   raw            = fragmentScore - complexity + symmetry
 *   SA             = 11 - 9 (raw + 5) / 6.5,  then 8 + ln(SA - 8) above 8,  clamped to [1, 10]
 * </pre>
 * The contributions c(f) are RDKit's {@code fpscores.pkl.gz} (705,292 environments in 3,549 score groups, from
 * RDKit 2022.09.3, BSD-3-clause, see NOTICE), re-encoded as the resource {@code fpscores.bin.gz} by
 * {@code svdd/src/test/python/sascore_reference.py} and read once, on first use. Stereocentres are counted as RDKit's
 * {@code FindMolChiralCenters(includeUnassigned=True)} ({@link StereoCentres}); spiro atoms and bridgeheads as
 * {@code CalcNumSpiroAtoms} and {@code CalcNumBridgeheadAtoms}, over the rings of {@link MolGraph}. On the WEHI
 * molecules every term, and so the score, is RDKit's (SaScoreTest).
 *
 * <p>sascorer's smoothing of the hard end is discontinuous, and kept to agree with RDKit: an unsmoothed SA in (8, 9),
 * that is raw in (-3.556, -2.833), maps to 8 + ln(SA - 8), anywhere from 1 to 8, so such a molecule scores easier
 * than one with a slightly higher raw score. No WEHI molecule comes near (their SA is at most 6), but an optimiser
 * can find the gap. {@link Terms#raw} (higher is easier) has none.
 *
 * <p>Thread-safe: the table is immutable after loading and scoring keeps no state.
 */
public final class SaScore {
    /** Contribution of an environment the table does not list. */
    public static final double UNKNOWN_FRAGMENT = -4;
    /** Radius of the environments (sascorer's {@code GetMorganFingerprint(m, 2)}). */
    public static final int RADIUS = 2;
    static final String RESOURCE = "fpscores.bin.gz";

    private SaScore() {
    }

    /**
     * The inputs of the score for one molecule.
     *
     * @param fragmentScore count-weighted mean contribution of the molecule's environments
     * @param atoms         heavy atoms (N)
     * @param fragments     distinct environments (F)
     * @param stereoCentres possible stereocentres, assigned or not
     * @param spiro         spiro atoms
     * @param bridgeheads   bridgehead atoms
     * @param macrocycles   rings of more than 8 atoms
     */
    public record Terms(double fragmentScore, int atoms, int fragments, int stereoCentres, int spiro, int bridgeheads,
                        int macrocycles) {
        /** The complexity penalty: size, stereocentres, spiro atoms, bridgeheads and macrocycles. */
        public double complexity() {
            double size = Math.pow(atoms, 1.005) - atoms;
            return size + Math.log10(stereoCentres + 1) + Math.log10(spiro + 1) + Math.log10(bridgeheads + 1)
                    + (macrocycles > 0 ? Math.log10(2) : 0);
        }

        /** The fingerprint-density correction, which makes symmetric molecules easier. */
        public double symmetry() {
            return atoms > fragments ? 0.5 * Math.log((double) atoms / fragments) : 0;
        }

        /** fragmentScore - complexity + symmetry: higher is easier. */
        public double raw() {
            return fragmentScore - complexity() + symmetry();
        }

        /** The SA score, 1 (easy) .. 10 (hard). */
        public double score() {
            return scale(raw());
        }
    }

    /** The SA score of a molecule from {@link Molecules#parse} (which is not modified): 1 easy .. 10 hard. */
    public static double score(IAtomContainer mol) {
        return terms(mol).score();
    }

    /** The terms of the score of a molecule from {@link Molecules#parse} (which is not modified). */
    public static Terms terms(IAtomContainer mol) {
        MolGraph g = MolGraph.of(mol);
        if (g.atomCount == 0) throw new IllegalArgumentException("SA score of a molecule without heavy atoms");
        Map<Long, Integer> environments = MorganEnvironments.counts(g, RADIUS);
        double sum = 0;
        int n = 0;
        for (Map.Entry<Long, Integer> e : environments.entrySet()) {
            sum += contribution(e.getKey()) * e.getValue();
            n += e.getValue();
        }
        int macrocycles = 0;
        for (int[] ring : g.ringAtoms) if (ring.length > 8) macrocycles++;
        return new Terms(sum / n, g.atomCount, environments.size(), StereoCentres.count(g), spiroAtoms(g),
                bridgeheadAtoms(g), macrocycles);
    }

    /** sascorer's map of raw = fragmentScore - complexity + symmetry (about -4 .. 2.5) onto 1 .. 10. */
    static double scale(double raw) {
        final double min = -4.0, max = 2.5;
        double sa = 11 - (raw - min + 1) / (max - min) * 9;
        if (sa > 8) sa = 8 + Math.log(sa + 1 - 9);
        return Math.min(10, Math.max(1, sa));
    }

    /** RDKit's CalcNumSpiroAtoms: atoms that are the only atom two rings share. */
    static int spiroAtoms(MolGraph g) {
        Set<Integer> atoms = new HashSet<>();
        for (int i = 0; i < g.ringAtoms.length; i++) {
            for (int j = i + 1; j < g.ringAtoms.length; j++) {
                int common = -1, n = 0;
                for (int a : g.ringAtoms[i]) {
                    if (StereoCentres.contains(g.ringAtoms[j], a)) {
                        common = a;
                        n++;
                    }
                }
                if (n == 1) atoms.add(common);
            }
        }
        return atoms.size();
    }

    /** RDKit's CalcNumBridgeheadAtoms: the ends of the bond paths shared (two bonds or more) by two rings. */
    static int bridgeheadAtoms(MolGraph g) {
        Set<Integer> atoms = new HashSet<>();
        int[] touches = new int[g.atomCount];
        for (int i = 0; i < g.ringBonds.length; i++) {
            for (int j = i + 1; j < g.ringBonds.length; j++) {
                if (StereoCentres.shared(g.ringBonds[i], g.ringBonds[j]) < 2) continue;
                Arrays.fill(touches, 0);
                for (int b : g.ringBonds[i]) {
                    if (!StereoCentres.contains(g.ringBonds[j], b)) continue;
                    touches[g.begin[b]]++;
                    touches[g.end[b]]++;
                }
                for (int a = 0; a < g.atomCount; a++) if (touches[a] == 1) atoms.add(a);
            }
        }
        return atoms.size();
    }

    /** RDKit's contribution of an environment id (unsigned 32-bit), {@link #UNKNOWN_FRAGMENT} if not listed. */
    public static double contribution(long id) {
        return Table.INSTANCE.contribution(id);
    }

    /** The fragment table: ids sorted (as signed ints), each with the index of its score group. */
    private record Table(int[] ids, short[] group, double[] groupScore) {
        static final Table INSTANCE = load();

        double contribution(long id) {
            if (id < 0 || id > 0xFFFFFFFFL) return UNKNOWN_FRAGMENT;
            int i = Arrays.binarySearch(ids, (int) id);
            return i < 0 ? UNKNOWN_FRAGMENT : groupScore[group[i]];
        }

        private static Table load() {
            InputStream raw = SaScore.class.getResourceAsStream(RESOURCE);
            if (raw == null) throw new IllegalStateException("resource " + RESOURCE + " missing from the jar (org/svdd/chem)");
            try (DataInputStream in = new DataInputStream(new BufferedInputStream(new GZIPInputStream(raw), 1 << 16))) {
                return read(in);
            } catch (IOException e) {
                throw new UncheckedIOException("reading " + RESOURCE, e);
            }
        }

        /** The format written by sascore_reference.py: 'SAFP', version 1, groups of (score, count, delta-coded ids). */
        private static Table read(DataInputStream in) throws IOException {
            byte[] magic = in.readNBytes(4);
            int version = in.readUnsignedByte();
            if (!Arrays.equals(magic, new byte[]{'S', 'A', 'F', 'P'}) || version != 1) {
                throw new IOException(RESOURCE + ": not an SA fragment table (version 1)");
            }
            int groups = in.readInt();
            if (groups <= 0 || groups > Short.MAX_VALUE) throw new IOException(RESOURCE + ": " + groups + " groups");
            double[] score = new double[groups];
            long[] packed = new long[1 << 20];             // (id as signed int) << 16 | group: sorts by id
            int n = 0;
            for (int g = 0; g < groups; g++) {
                score[g] = in.readDouble();
                long count = varint(in), id = 0;
                for (long k = 0; k < count; k++) {
                    id += varint(in);
                    if (id > 0xFFFFFFFFL) throw new IOException(RESOURCE + ": id " + id + " exceeds 32 bits");
                    if (n == packed.length) packed = Arrays.copyOf(packed, 2 * n);
                    packed[n++] = ((long) (int) id << 16) | g;
                }
            }
            Arrays.sort(packed, 0, n);
            int[] ids = new int[n];
            short[] group = new short[n];
            for (int i = 0; i < n; i++) {
                ids[i] = (int) (packed[i] >> 16);
                group[i] = (short) (packed[i] & 0xFFFF);
                if (i > 0 && ids[i] == ids[i - 1]) throw new IOException(RESOURCE + ": id " + Integer.toUnsignedString(ids[i]) + " listed twice");
            }
            return new Table(ids, group, score);
        }

        private static long varint(DataInputStream in) throws IOException {
            long v = 0;
            for (int shift = 0; ; shift += 7) {
                int b = in.readUnsignedByte();
                v |= (long) (b & 0x7F) << shift;
                if ((b & 0x80) == 0) return v;
                if (shift > 35) throw new IOException(RESOURCE + ": varint too long");
            }
        }
    }
}
