package org.svdd.diffusion.data;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the tokens of a sequence model spell: token id i is {@code tokens.get(i)}, and a row of ids reads as the
 * concatenation of its tokens in the {@link Notation}. A new domain for the masked transformer is a vocabulary plus
 * data, not a new kind of model. The vocabulary travels in a checkpoint's metadata ({@link #metadata}).
 */
public record Vocabulary(Notation notation, List<String> tokens) {
    /** How a row's text is read. */
    public enum Notation {
        /** DNA letters A, C, G, T. */
        DNA("DNA sequences", null),
        /** RNA letters A, C, G, U; "-" pads a row after the sequence's end. */
        RNA("RNA sequences", "-"),
        /** SELFIES symbols ("[C]", "[=O]", "[Branch1]", ...): every row is a molecule; "[nop]" pads. */
        SELFIES("SELFIES molecules", "[nop]");

        /** What the rows are, for messages. */
        public final String plural;
        /** The padding token, left out of a row's text wherever it stands; null if rows are never padded. */
        public final String pad;

        Notation(String plural, String pad) {
            this.plural = plural;
            this.pad = pad;
        }
    }

    /** The metadata keys. Tokens are stored separated by single spaces (no token contains one). */
    public static final String NOTATION_KEY = "vocab.notation", TOKENS_KEY = "vocab.tokens";

    /** The DNA model's tokens: A=0, C=1, G=2, T=3 ({@link DnaDataset#encode}). */
    public static final Vocabulary DNA = new Vocabulary(Notation.DNA, List.of("A", "C", "G", "T"));

    public Vocabulary {
        tokens = List.copyOf(tokens);
        if (tokens.isEmpty()) throw new IllegalArgumentException("a vocabulary needs at least one token");
        if (new HashSet<>(tokens).size() != tokens.size()) throw new IllegalArgumentException("a token repeats in " + tokens);
        for (String t : tokens) {
            if (t.isEmpty() || t.chars().anyMatch(Character::isWhitespace)) throw new IllegalArgumentException("token '" + t + "' is empty or holds white space");
        }
    }

    public int size() {
        return tokens.size();
    }

    /** The text of {@code ids[from .. from + length)}: its tokens, the notation's padding left out. */
    public String text(long[] ids, int from, int length) {
        StringBuilder b = new StringBuilder(length);
        for (int i = from; i < from + length; i++) {
            long id = ids[i];
            if (id < 0 || id >= tokens.size()) throw new IllegalArgumentException("token " + id + " at position " + (i - from) + " is not one of the " + tokens.size() + " tokens");
            String t = tokens.get((int) id);
            if (!t.equals(notation.pad)) b.append(t);
        }
        return b.toString();
    }

    public Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(NOTATION_KEY, notation.name());
        m.put(TOKENS_KEY, String.join(" ", tokens));
        return m;
    }

    /** The vocabulary a checkpoint's metadata names; IllegalArgumentException naming what is missing or wrong. */
    public static Vocabulary fromMetadata(Map<String, String> meta) {
        String n = meta.get(NOTATION_KEY), t = meta.get(TOKENS_KEY);
        if (n == null || t == null) throw new IllegalArgumentException("no '" + NOTATION_KEY + "' and '" + TOKENS_KEY + "' in the metadata: the samples cannot be read");
        Notation notation;
        try {
            notation = Notation.valueOf(n);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown " + NOTATION_KEY + " '" + n + "' (known: " + List.of(Notation.values()) + ")");
        }
        return new Vocabulary(notation, List.of(t.split(" ")));
    }
}
