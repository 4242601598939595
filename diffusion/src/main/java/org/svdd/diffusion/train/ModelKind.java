package org.svdd.diffusion.train;

/** The pre-trained model families: which denoiser, which process, which data. */
public enum ModelKind {
    /** UNet2D + Gaussian process on 32x32 Fashion-MNIST. */
    FASHION_UNET,
    /** Sequence transformer + masked process on fly promoter windows (A, C, G, T). */
    DNA_TRANSFORMER,
    /** Sequence transformer + masked process on WEHI SMILES, one character a token, padded (PAD is a real token). */
    SMILES_TRANSFORMER
}
