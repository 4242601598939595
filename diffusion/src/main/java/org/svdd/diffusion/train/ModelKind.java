package org.svdd.diffusion.train;

/** The pre-trained model families, named by denoiser and process; the data a model was trained on is its own business. */
public enum ModelKind {
    /** UNet2D + Gaussian process (DDPM/DDIM) on images. */
    GAUSSIAN_UNET,
    /** Sequence transformer + masked (absorbing-state) process on token rows; a {@link org.svdd.diffusion.data.Vocabulary} says what they spell. */
    MASKED_TRANSFORMER;

    /** The kind a checkpoint's "kind" names, the older data-set names included (FASHION_UNET, DNA_TRANSFORMER). */
    public static ModelKind parse(String name) {
        return switch (name) {
            case "FASHION_UNET" -> GAUSSIAN_UNET;
            case "DNA_TRANSFORMER" -> MASKED_TRANSFORMER;
            default -> valueOf(name);
        };
    }
}
