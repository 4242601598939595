package org.svdd.chem;

/** A SMILES the encoder cannot translate, or a SELFIES string with a symbol that is not a SELFIES symbol. */
public final class SelfiesException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public SelfiesException(String message) {
        super(message);
    }
}
