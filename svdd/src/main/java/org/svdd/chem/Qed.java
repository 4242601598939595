package org.svdd.chem;

import org.openscience.cdk.interfaces.IAtom;
import org.openscience.cdk.interfaces.IAtomContainer;
import org.openscience.cdk.interfaces.IBond;
import org.openscience.cdk.smarts.SmartsPattern;
import org.openscience.cdk.tools.manipulator.AtomContainerManipulator;

import java.util.List;

/**
 * QED, the quantitative estimate of drug-likeness (Bickerton et al., Nature Chemistry 4 (2012) 90), with the
 * definitions and default (mean) weights of RDKit's {@code Chem/QED.py}:
 * <pre>
 *   d_i(x) = ads(x; A, B, C, D, E, F) / DMAX,  ads = A + B / (1 + exp(-(x - C + D/2) / E)) * (1 - 1 / (1 + exp(-(x - C - D/2) / F)))
 *   QED    = exp( sum_i w_i ln d_i / sum_i w_i )         (weighted geometric mean over the eight properties)
 * </pre>
 * The properties, as RDKit computes them: MW (average molecular weight), ALOGP ({@link Crippen} logP), HBA (matches
 * of eleven acceptor patterns, summed), HBD (RDKit's NumHBD pattern), PSA (Ertl's topological polar surface area over
 * N and O), ROTB (RDKit's strict rotatable-bond pattern), AROM (rings of the SSSR left after deleting aliphatic ring
 * atoms bonded to a non-aromatic atom) and ALERTS (how many of 116 structural-alert patterns occur). The ADS
 * parameters, weights and SMARTS below are RDKit's, transcribed.
 */
public final class Qed {
    private Qed() {
    }

    /** QED's inputs for one molecule. */
    public record Properties(double mw, double alogp, int hba, int hbd, double psa, int rotb, int arom, int alerts) {
        double[] values() {
            return new double[]{mw, alogp, hba, hbd, psa, rotb, arom, alerts};
        }
    }

    /** Asymmetric double sigmoid parameters of one property. */
    record Ads(double a, double b, double c, double d, double e, double f, double dmax) {
        /** The desirability ads(x) / DMAX. */
        double desirability(double x) {
            double exp1 = 1 + Math.exp(-(x - c + d / 2) / e);
            double exp2 = 1 + Math.exp(-(x - c - d / 2) / f);
            return (a + b / exp1 * (1 - 1 / exp2)) / dmax;
        }
    }

    /** In the order of {@link Properties}: MW, ALOGP, HBA, HBD, PSA, ROTB, AROM, ALERTS. */
    static final Ads[] ADS = {
            new Ads(2.817065973, 392.5754953, 290.7489764, 2.419764353, 49.22325677, 65.37051707, 104.9805561),
            new Ads(3.172690585, 137.8624751, 2.534937431, 4.581497897, 0.822739154, 0.576295591, 131.3186604),
            new Ads(2.948620388, 160.4605972, 3.615294657, 4.435986202, 0.290141953, 1.300669958, 148.7763046),
            new Ads(1.618662227, 1010.051101, 0.985094388, 0.000000001, 0.713820843, 0.920922555, 258.1632616),
            new Ads(1.876861559, 125.2232657, 62.90773554, 87.83366614, 12.01999824, 28.51324732, 104.5686167),
            new Ads(0.010000000, 272.4121427, 2.558379970, 1.565547684, 1.271567166, 2.758063707, 105.4420403),
            new Ads(3.217788970, 957.7374108, 2.274627939, 0.000000001, 1.317690384, 0.375760881, 312.3372610),
            new Ads(0.010000000, 1199.094025, -0.09002883, 0.000000001, 0.185904477, 0.875193782, 417.7253140),
    };

    /** RDKit's WEIGHT_MEAN, in the order of {@link Properties}. */
    static final double[] WEIGHTS = {0.66, 0.46, 0.05, 0.61, 0.06, 0.65, 0.48, 0.95};

    static final List<String> ACCEPTOR_SMARTS = List.of(
            "[oH0;X2]", "[OH1;X2;v2]", "[OH0;X2;v2]", "[OH0;X1;v2]", "[O-;X1]", "[SH0;X2;v2]", "[SH0;X1;v2]", "[S-;X1]",
            "[nH0;X2]", "[NH0;X1;v3]", "[$([N;+0;X3;v3]);!$(N[C,S]=O)]");

    /** RDKit's rdMolDescriptors.CalcNumHBD pattern. */
    static final String DONOR_SMARTS = "[N&!H0&v3,N&!H0&+1&v4,O&H1&+0,S&H1&+0,n&H1&+0]";

    /** RDKit's strict rotatable-bond pattern (NumRotatableBondsOptions.Strict). */
    static final String ROTATABLE_SMARTS = "[!$(*#*)&!D1&!$(C(F)(F)F)&!$(C(Cl)(Cl)Cl)&!$(C(Br)(Br)Br)&!$(C([CH3])([CH3])[CH3])"
            + "&!$([CD3](=[N,O,S])-!@[#7,O,S!D1])&!$([#7,O,S!D1]-!@[CD3]=[N,O,S])&!$([CD3](=[N+])-!@[#7!D1])&!$([#7!D1]-!@[CD3]=[N+])]"
            + "-!@[!$(*#*)&!D1&!$(C(F)(F)F)&!$(C(Cl)(Cl)Cl)&!$(C(Br)(Br)Br)&!$(C([CH3])([CH3])[CH3])]";

    /** Atoms QED deletes before counting rings: aliphatic ring atoms with a non-aromatic neighbour. */
    static final String ALIPHATIC_RING_SMARTS = "[$([A;R][!a])]";

    static final List<String> ALERT_SMARTS = List.of(
            "*1[O,S,N]*1", "[S,C](=[O,S])[F,Br,Cl,I]", "[CX4][Cl,Br,I]", "[#6]S(=O)(=O)O[#6]", "[$([CH]),$(CC)]#CC(=O)[#6]",
            "[$([CH]),$(CC)]#CC(=O)O[#6]", "n[OH]", "[$([CH]),$(CC)]#CS(=O)(=O)[#6]", "C=C(C=O)C=O", "n1c([F,Cl,Br,I])cccc1",
            "[CH1](=O)", "[#8][#8]", "[C;!R]=[N;!R]", "[N!R]=[N!R]", "[#6](=O)[#6](=O)", "[#16][#16]", "[#7][NH2]",
            "C(=O)N[NH2]", "[#6]=S", "[$([CH2]),$([CH][CX4]),$(C([CX4])[CX4])]=[$([CH2]),$([CH][CX4]),$(C([CX4])[CX4])]",
            "C1(=[O,N])C=CC(=[O,N])C=C1", "C1(=[O,N])C(=[O,N])C=CC=C1", "a21aa3a(aa1aaaa2)aaaa3", "a31a(a2a(aa1)aaaa2)aaaa3",
            "a1aa2a3a(a1)A=AA=A3=AA=A2", "c1cc([NH2])ccc1",
            "[Hg,Fe,As,Sb,Zn,Se,se,Te,B,Si,Na,Ca,Ge,Ag,Mg,K,Ba,Sr,Be,Ti,Mo,Mn,Ru,Pd,Ni,Cu,Au,Cd,Al,Ga,Sn,Rh,Tl,Bi,Nb,Li,Pb,Hf,Ho]",
            "I", "OS(=O)(=O)[O-]", "[N+](=O)[O-]", "C(=O)N[OH]", "C1NC(=O)NC(=O)1", "[SH]", "[S-]",
            "c1ccc([Cl,Br,I,F])c([Cl,Br,I,F])c1[Cl,Br,I,F]", "c1cc([Cl,Br,I,F])cc([Cl,Br,I,F])c1[Cl,Br,I,F]",
            "[CR1]1[CR1][CR1][CR1][CR1][CR1][CR1]1", "[CR1]1[CR1][CR1]cc[CR1][CR1]1", "[CR2]1[CR2][CR2][CR2][CR2][CR2][CR2][CR2]1",
            "[CR2]1[CR2][CR2]cc[CR2][CR2][CR2]1", "[CH2R2]1N[CH2R2][CH2R2][CH2R2][CH2R2][CH2R2]1",
            "[CH2R2]1N[CH2R2][CH2R2][CH2R2][CH2R2][CH2R2][CH2R2]1", "C#C", "[OR2,NR2]@[CR2]@[CR2]@[OR2,NR2]@[CR2]@[CR2]@[OR2,NR2]",
            "[$([N+R]),$([n+R]),$([N+]=C)][O-]", "[#6]=N[OH]", "[#6]=NOC=O", "[#6](=O)[CX4,CR0X3,O][#6](=O)", "c1ccc2c(c1)ccc(=O)o2",
            "[O+,o+,S+,s+]", "N=C=O", "[NX3,NX4][F,Cl,Br,I]", "c1ccccc1OC(=O)[#6]", "[CR0]=[CR0][CR0]=[CR0]", "[C+,c+,C-,c-]",
            "N=[N+]=[N-]", "C12C(NC(N1)=O)CSC2", "c1c([OH])c([OH,NH2,NH])ccc1", "P", "[N,O,S]C#N", "C=C=O", "[Si][F,Cl,Br,I]",
            "[SX2]O", "[SiR0,CR0](c1ccccc1)(c2ccccc2)(c3ccccc3)", "O1CCCCC1OC2CCC3CCCCC3C2", "N=[CR0][N,n,O,S]",
            "[cR2]1[cR2][cR2]([Nv3X3,Nv4X4])[cR2][cR2][cR2]1[cR2]2[cR2][cR2][cR2]([Nv3X3,Nv4X4])[cR2][cR2]2", "C=[C!r]C#N",
            "[cR2]1[cR2]c([N+0X3R0,nX3R0])c([N+0X3R0,nX3R0])[cR2][cR2]1", "[cR2]1[cR2]c([N+0X3R0,nX3R0])[cR2]c([N+0X3R0,nX3R0])[cR2]1",
            "[cR2]1[cR2]c([N+0X3R0,nX3R0])[cR2][cR2]c1([N+0X3R0,nX3R0])", "[OH]c1ccc([OH,NH2,NH])cc1", "c1ccccc1OC(=O)O",
            "[SX2H0][N]", "c12ccccc1(SC(S)=N2)", "c12ccccc1(SC(=S)N2)", "c1nnnn1C=O", "s1c(S)nnc1NC=O", "S1C=CSC1=S",
            "C(=O)Onnn", "OS(=O)(=O)C(F)(F)F", "N#CC[OH]", "N#CC(=O)", "S(=O)(=O)C#N", "N[CH2]C#N", "C1(=O)NCC1",
            "S(=O)(=O)[O-,OH]", "NC[F,Cl,Br,I]", "C=[C!r]O", "[NX2+0]=[O+0]", "[OR0,NR0][OR0,NR0]",
            "C(=O)O[C,H1].C(=O)O[C,H1].C(=O)O[C,H1]", "[CX2R0][NX3R0]", "c1ccccc1[C;!R]=[C;!R]c2ccccc2",
            "[NX3R0,NX4R0,OR0,SX2R0][CX4][NX3R0,NX4R0,OR0,SX2R0]",
            "[s,S,c,C,n,N,o,O]~[n+,N+](~[s,S,c,C,n,N,o,O])(~[s,S,c,C,n,N,o,O])~[s,S,c,C,n,N,o,O]",
            "[s,S,c,C,n,N,o,O]~[nX3+,NX3+](~[s,S,c,C,n,N])~[s,S,c,C,n,N]", "[*]=[N+]=[*]", "[SX3](=O)[O-,OH]", "N#N", "F.F.F.F",
            "[R0;D2][R0;D2][R0;D2][R0;D2]", "[cR,CR]~C(=O)NC(=O)~[cR,CR]", "C=!@CC=[O,S]", "[#6,#8,#16][#6](=O)O[#6]",
            "c[C;R0](=[O,S])[#6]", "c[SX2][C;!R]", "C=C=C", "c1nc([F,Cl,Br,I,S])ncc1", "c1ncnc([F,Cl,Br,I,S])c1",
            "c1nc(c2c(n1)nc(n2)[F,Cl,Br,I])", "[#6]S(=O)(=O)c1ccc(cc1)F", "[15N]", "[13C]", "[18O]", "[34S]");

    /** The compiled patterns, one set per thread: CDK does not promise that a pattern may match on two threads at once. */
    private record Patterns(List<SmartsPattern> acceptors, SmartsPattern donor, SmartsPattern rotatable, SmartsPattern aliphaticRing,
                            List<SmartsPattern> alerts) {
        private static final ThreadLocal<Patterns> MINE = ThreadLocal.withInitial(() -> new Patterns(compile(ACCEPTOR_SMARTS),
                compile(List.of(DONOR_SMARTS)).getFirst(), compile(List.of(ROTATABLE_SMARTS)).getFirst(),
                compile(List.of(ALIPHATIC_RING_SMARTS)).getFirst(), compile(ALERT_SMARTS)));

        static Patterns get() {
            return MINE.get();
        }

        private static List<SmartsPattern> compile(List<String> smarts) {
            return smarts.stream().map(s -> SmartsPattern.create(s).setPrepare(false)).toList();
        }
    }

    /** QED of a molecule from {@link Molecules#parse}, in (0, 1). */
    public static double qed(IAtomContainer mol) {
        return qed(properties(mol));
    }

    /** QED from its eight properties. */
    public static double qed(Properties p) {
        double[] x = p.values();
        double t = 0, wSum = 0;
        for (int i = 0; i < x.length; i++) {
            t += WEIGHTS[i] * Math.log(ADS[i].desirability(x[i]));
            wSum += WEIGHTS[i];
        }
        return Math.exp(t / wSum);
    }

    /** The eight properties of a molecule from {@link Molecules#parse} (which is not modified). */
    public static Properties properties(IAtomContainer mol) {
        Patterns patterns = Patterns.get();
        int hba = 0;
        for (SmartsPattern p : patterns.acceptors()) hba += p.matchAll(mol).countUnique();
        int alerts = 0;
        for (SmartsPattern p : patterns.alerts()) alerts += p.matches(mol) ? 1 : 0;
        return new Properties(AtomContainerManipulator.getMass(mol, AtomContainerManipulator.MolWeight), Crippen.logP(mol), hba,
                patterns.donor().matchAll(mol).countUnique(), tpsa(mol), patterns.rotatable().matchAll(mol).countUnique(),
                aromaticRings(mol), alerts);
    }

    /**
     * QED's AROM: the number of SSSR rings (the cycle rank, edges - atoms + components) of what remains after deleting
     * the atoms that match {@link #ALIPHATIC_RING_SMARTS}.
     */
    static int aromaticRings(IAtomContainer mol) {
        int n = mol.getAtomCount();
        boolean[] deleted = new boolean[n];
        for (int[] m : Patterns.get().aliphaticRing().matchAll(mol).uniqueAtoms()) deleted[m[0]] = true;
        int[] parent = new int[n];
        for (int i = 0; i < n; i++) parent[i] = i;
        int atoms = 0, edges = 0, components = 0;
        for (int i = 0; i < n; i++) if (!deleted[i]) atoms++;
        components = atoms;
        for (IBond b : mol.bonds()) {
            int u = b.getBegin().getIndex(), v = b.getEnd().getIndex();
            if (deleted[u] || deleted[v]) continue;
            edges++;
            int ru = root(parent, u), rv = root(parent, v);
            if (ru != rv) {
                parent[ru] = rv;
                components--;
            }
        }
        return edges - atoms + components;
    }

    private static int root(int[] parent, int i) {
        while (parent[i] != i) i = parent[i] = parent[parent[i]];
        return i;
    }

    /**
     * Ertl's topological polar surface area over N and O (RDKit's {@code TPSA} without S and P): each N or O adds the
     * tabulated contribution of its environment (heavy neighbours, hydrogens, charge, single/double/triple/aromatic
     * bonds, three-membered ring), or, for an environment outside the table, 30.5 - 8.2 nbrs + 1.5 H (N) and
     * 28.5 - 8.6 nbrs + 1.5 H (O), floored at 0.
     */
    static double tpsa(IAtomContainer mol) {
        double total = 0;
        for (IAtom atom : mol.atoms()) {
            int z = atom.getAtomicNumber();
            if (z != 7 && z != 8) continue;
            int hs = atom.getImplicitHydrogenCount() == null ? 0 : atom.getImplicitHydrogenCount();
            int nbrs = 0, single = 0, dbl = 0, triple = 0, arom = 0;
            for (IBond b : atom.bonds()) {
                if (b.getOther(atom).getAtomicNumber() == 1) {
                    hs++;
                    continue;
                }
                nbrs++;
                if (b.isAromatic()) arom++;
                else if (b.getOrder() == IBond.Order.SINGLE) single++;
                else if (b.getOrder() == IBond.Order.DOUBLE) dbl++;
                else if (b.getOrder() == IBond.Order.TRIPLE) triple++;
            }
            int chg = atom.getFormalCharge() == null ? 0 : atom.getFormalCharge();
            boolean in3 = atom.isInRing() && inThreeRing(atom);
            double c = z == 7 ? nitrogen(nbrs, hs, chg, single, dbl, triple, arom, in3) : oxygen(nbrs, hs, chg, single, dbl, arom, in3);
            if (c < 0) c = Math.max(0, z == 7 ? 30.5 - nbrs * 8.2 + hs * 1.5 : 28.5 - nbrs * 8.6 + hs * 1.5);
            total += c;
        }
        return total;
    }

    private static double nitrogen(int nbrs, int hs, int chg, int s, int d, int t, int a, boolean in3) {
        switch (nbrs) {
            case 1:
                if (hs == 0 && chg == 0 && t == 1) return 23.79;
                if (hs == 1 && chg == 0 && d == 1) return 23.85;
                if (hs == 2 && chg == 0 && s == 1) return 26.02;
                if (hs == 2 && chg == 1 && d == 1) return 25.59;
                if (hs == 3 && chg == 1 && s == 1) return 27.64;
                break;
            case 2:
                if (hs == 0 && chg == 0 && s == 1 && d == 1) return 12.36;
                if (hs == 0 && chg == 0 && t == 1 && d == 1) return 13.60;
                if (hs == 1 && chg == 0 && s == 2 && in3) return 21.94;
                if (hs == 1 && chg == 0 && s == 2) return 12.03;
                if (hs == 0 && chg == 1 && t == 1 && s == 1) return 4.36;
                if (hs == 1 && chg == 1 && d == 1 && s == 1) return 13.97;
                if (hs == 2 && chg == 1 && s == 2) return 16.61;
                if (hs == 0 && chg == 0 && a == 2) return 12.89;
                if (hs == 1 && chg == 0 && a == 2) return 15.79;
                if (hs == 1 && chg == 1 && a == 2) return 14.14;
                break;
            case 3:
                if (hs == 0 && chg == 0 && s == 3 && in3) return 3.01;
                if (hs == 0 && chg == 0 && s == 3) return 3.24;
                if (hs == 0 && chg == 0 && s == 1 && d == 2) return 11.68;
                if (hs == 0 && chg == 1 && s == 2 && d == 1) return 3.01;
                if (hs == 1 && chg == 1 && s == 3) return 4.44;
                if (hs == 0 && chg == 0 && a == 3) return 4.41;
                if (hs == 0 && chg == 0 && s == 1 && a == 2) return 4.93;
                if (hs == 0 && chg == 0 && d == 1 && a == 2) return 8.39;
                if (hs == 0 && chg == 1 && a == 3) return 4.10;
                if (hs == 0 && chg == 1 && s == 1 && a == 2) return 3.88;
                break;
            case 4:
                if (hs == 0 && s == 4 && chg == 1) return 0.0;
                break;
            default:
                break;
        }
        return -1;
    }

    private static double oxygen(int nbrs, int hs, int chg, int s, int d, int a, boolean in3) {
        switch (nbrs) {
            case 1:
                if (hs == 0 && chg == 0 && d == 1) return 17.07;
                if (hs == 1 && chg == 0 && s == 1) return 20.23;
                if (hs == 0 && chg == -1 && s == 1) return 23.06;
                break;
            case 2:
                if (hs == 0 && chg == 0 && s == 2 && in3) return 12.53;
                if (hs == 0 && chg == 0 && s == 2) return 9.23;
                if (hs == 0 && chg == 0 && a == 2) return 13.14;
                break;
            default:
                break;
        }
        return -1;
    }

    /** Whether the atom lies on a cycle of three atoms. */
    private static boolean inThreeRing(IAtom atom) {
        for (IBond b1 : atom.bonds()) {
            IAtom x = b1.getOther(atom);
            for (IBond b2 : atom.bonds()) {
                if (b2 == b1) continue;
                if (x.getBond(b2.getOther(atom)) != null) return true;
            }
        }
        return false;
    }
}
