package org.svdd.chem;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The token ids of SELFIES symbols for a sequence model. Id {@link #PAD} is {@code [nop]}, which the decoder skips
 * wherever it stands, so a padded row decodes like the unpadded one; ids 1.. are the other symbols in sorted order.
 * Immutable and thread-safe.
 */
public final class SelfiesAlphabet {
    /** The id of the padding symbol "[nop]". */
    public static final int PAD = 0;

    private final List<String> symbols;
    private final Map<String, Integer> ids;

    /** An alphabet with these symbols as ids 0, 1, ...; symbols[0] must be "[nop]". */
    public SelfiesAlphabet(List<String> symbols) {
        this.symbols = List.copyOf(symbols);
        if (symbols.isEmpty() || !symbols.getFirst().equals(SelfiesGrammar.NOP)) {
            throw new IllegalArgumentException("a SELFIES alphabet starts with " + SelfiesGrammar.NOP + ", got " + symbols);
        }
        Map<String, Integer> m = new HashMap<>();
        for (int i = 0; i < symbols.size(); i++) {
            if (m.put(symbols.get(i), i) != null) throw new IllegalArgumentException("repeated symbol " + symbols.get(i) + " in " + symbols);
        }
        this.ids = Map.copyOf(m);
    }

    /** The symbol of each id. */
    public List<String> symbols() {
        return symbols;
    }

    /** The alphabet of the symbols of a data set of SELFIES strings ("." included if some string has several fragments). */
    public static SelfiesAlphabet of(Collection<String> selfies) {
        TreeSet<String> seen = new TreeSet<>();
        for (String s : selfies) seen.addAll(Selfies.tokens(s));
        return withPad(seen);
    }

    /** This alphabet with more symbols (new ones sorted in among the old; ids of old symbols may change). */
    public SelfiesAlphabet plus(Collection<String> more) {
        TreeSet<String> all = new TreeSet<>(symbols);
        all.addAll(more);
        return withPad(all);
    }

    private static SelfiesAlphabet withPad(TreeSet<String> symbols) {
        symbols.remove(SelfiesGrammar.NOP);
        List<String> list = new ArrayList<>(symbols.size() + 1);
        list.add(SelfiesGrammar.NOP);
        list.addAll(symbols);
        return new SelfiesAlphabet(list);
    }

    /** How many ids: the vocabulary size. */
    public int size() {
        return symbols.size();
    }

    public String symbol(int id) {
        if (id < 0 || id >= symbols.size()) throw new IllegalArgumentException("token " + id + " is not one of the " + symbols.size() + " SELFIES symbols");
        return symbols.get(id);
    }

    /** The id of a symbol. */
    public int id(String symbol) {
        Integer id = ids.get(symbol);
        if (id == null) throw new IllegalArgumentException("symbol " + symbol + " is not in the alphabet");
        return id;
    }

    /** The ids of a SELFIES string padded with {@link #PAD} to {@code length}; fails if it has more symbols. */
    public int[] encode(String selfies, int length) {
        List<String> tokens = Selfies.tokens(selfies);
        if (tokens.size() > length) throw new IllegalArgumentException(tokens.size() + " symbols do not fit in " + length + ": " + selfies);
        int[] row = new int[length];
        for (int i = 0; i < tokens.size(); i++) row[i] = id(tokens.get(i));
        return row;
    }

    /** The symbols of {@code ids[offset .. offset + length)} with PAD left out. */
    public List<String> decode(int[] ids, int offset, int length) {
        List<String> out = new ArrayList<>(length);
        for (int i = offset; i < offset + length; i++) {
            if (ids[i] != PAD) out.add(symbol(ids[i]));
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SelfiesAlphabet a && a.symbols.equals(symbols);
    }

    @Override
    public int hashCode() {
        return symbols.hashCode();
    }

    @Override
    public String toString() {
        return "SelfiesAlphabet" + symbols;
    }
}
