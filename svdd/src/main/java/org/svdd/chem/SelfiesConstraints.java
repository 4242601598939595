package org.svdd.chem;

import java.util.HashMap;
import java.util.Map;

/**
 * SELFIES semantic constraints: the bonding capacity (the most bond orders an atom may make, hydrogens not counted) of
 * each element and charge. Keys are an element symbol ({@code "N"}) or an element with a signed charge
 * ({@code "N+1"}, {@code "O-1"}); atoms without a key get {@code otherwise}. A bracket atom with explicit hydrogens has
 * that many fewer bonds ({@code [NH1]}: 3 - 1 = 2).
 *
 * <p>{@link #DEFAULT} is the default of the {@code selfies} package 2.1 (Krenn et al. 2020, Table 1, with the 2.x
 * additions for B and ions). {@link #RDKIT_CHARGES} is the 2.2 default, which lowers C+1, P+1 and S+1 and raises P-1 to
 * agree with RDKit. {@link #OCTET_RULE} and {@link #HYPERVALENT} are the package's two other presets (on the 2.1
 * default).
 *
 * @param capacities bonding capacity by key; copied
 * @param otherwise  bonding capacity of every atom without a key (the package's {@code "?"})
 */
public record SelfiesConstraints(Map<String, Integer> capacities, int otherwise) {
    /** The selfies 2.1 default. */
    public static final SelfiesConstraints DEFAULT = new SelfiesConstraints(Map.ofEntries(
            Map.entry("H", 1), Map.entry("F", 1), Map.entry("Cl", 1), Map.entry("Br", 1), Map.entry("I", 1),
            Map.entry("B", 3), Map.entry("B+1", 2), Map.entry("B-1", 4),
            Map.entry("O", 2), Map.entry("O+1", 3), Map.entry("O-1", 1),
            Map.entry("N", 3), Map.entry("N+1", 4), Map.entry("N-1", 2),
            Map.entry("C", 4), Map.entry("C+1", 5), Map.entry("C-1", 3),
            Map.entry("P", 5), Map.entry("P+1", 6), Map.entry("P-1", 4),
            Map.entry("S", 6), Map.entry("S+1", 7), Map.entry("S-1", 5)), 8);
    /** The selfies 2.2 default: charged C, P and S as RDKit allows them. */
    public static final SelfiesConstraints RDKIT_CHARGES = DEFAULT.with(Map.of("C+1", 3, "P+1", 4, "P-1", 6, "S+1", 5));
    /** S and P held to the octet rule. */
    public static final SelfiesConstraints OCTET_RULE = DEFAULT.with(Map.of("S", 2, "S+1", 3, "S-1", 1, "P", 3, "P+1", 4, "P-1", 2));
    /** Hypervalent halogens and nitrogen. */
    public static final SelfiesConstraints HYPERVALENT = DEFAULT.with(Map.of("Cl", 7, "Br", 7, "I", 7, "N", 5));

    public SelfiesConstraints {
        capacities = Map.copyOf(capacities);
        if (otherwise < 0) throw new IllegalArgumentException("negative bonding capacity " + otherwise);
        for (var e : capacities.entrySet()) {
            if (e.getValue() < 0) throw new IllegalArgumentException("negative bonding capacity " + e.getValue() + " for " + e.getKey());
        }
    }

    /** These constraints with some capacities replaced or added. */
    public SelfiesConstraints with(Map<String, Integer> changes) {
        Map<String, Integer> m = new HashMap<>(capacities);
        m.putAll(changes);
        return new SelfiesConstraints(m, otherwise);
    }

    /** The bonding capacity of an atom of this element and charge with no hydrogens. */
    public int capacity(String element, int charge) {
        String key = charge == 0 ? element : element + (charge > 0 ? "+" : "") + charge;
        return capacities.getOrDefault(key, otherwise);
    }
}
