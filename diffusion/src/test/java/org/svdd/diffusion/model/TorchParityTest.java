package org.svdd.diffusion.model;

import org.junit.jupiter.api.Test;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.Tolerance;
import org.svdd.tensor.io.Safetensors;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The committed checkpoints' whole forward passes against PyTorch. bench/torch_parity.py loads each checkpoint into
 * its twin in bench/torch_models.py, runs two seeded rows, and saves x, t, PyTorch's float32 output "out" and the same
 * forward in float64 "out64" as test resources under parity/. Regenerate with {@code python3 bench/torch_parity.py}.
 */
class TorchParityTest {
    /**
     * Largest |Java - out64| allowed, relative to max |out64|. Float32 rounds at 6e-8; through the whole network the
     * measured error is 1e-7 to 7e-7 of the scale, PyTorch's own float32 forward included (the fixtures'
     * torch.f32VsF64MaxAbs). 1e-5 leaves more than 10x for other summation orders (thread counts, SIMD widths, CUDA)
     * and still fails on a real difference. Measured on the torch side: exact GELU instead of tanh moves the
     * transformers' logits by 1e-4 of their scale, the UNet's t off by one step by 1.4e-3; a norm epsilon of 1e-6
     * instead of 1e-5 moves them by 1.3e-5 (GroupNorm, UNet) and 5e-6 (LayerNorm), at the edge of what this sees.
     */
    private static final double RTOL_OF_MAX = 1e-5;

    @Test
    void unetMatchesPyTorch() throws Exception {
        check("unet");
    }

    @Test
    void transformerMatchesPyTorch() throws Exception {
        check("transformer");
    }

    @Test
    void transformerWithConvolutionMatchesPyTorch() throws Exception {
        check("transformer-conv");
    }

    /**
     * The fixture's checkpoint on {@link Backends#current()} against out64. The reference backend, the spec, takes about
     * 40 s for the UNet forward on two cores; run it with -Dsvdd.backend=reference.
     */
    private static void check(String fixture) throws Exception {
        Path fixtureFile = resource("/parity/" + fixture + ".safetensors");
        Map<String, String> meta = Safetensors.readHeader(fixtureFile).metadata();
        Path checkpoint = Path.of("..").resolve(meta.get("checkpoint"));                     // tests run in diffusion/
        assumeTrue(Files.isRegularFile(checkpoint), checkpoint + " is absent: the parity check needs the committed checkpoint");
        assertEquals(meta.get("checkpoint.sha256"), sha256(checkpoint),
                checkpoint + " differs from the one the fixture was made from: regenerate it with python3 bench/torch_parity.py");
        Backend be = Backends.current();
        Safetensors.Checkpoint fix = Safetensors.read(fixtureFile, be);
        Tensor x = fix.tensors().get("x"), t = fix.tensors().get("t"), want = fix.tensors().get("out64"), torch32 = fix.tensors().get("out");
        DiffusionModel model = DiffusionModel.load(checkpoint, be);
        long start = System.nanoTime();
        Tensor got = Grad.noGrad(() -> switch (model) {
            case DiffusionModel.Images m -> m.net().predictEps(x, t);                                // t: step indices
            case DiffusionModel.Sequences m -> m.net().logits(x, t);                                 // t: times in [0, 1]
        });
        double ms = (System.nanoTime() - start) / 1e6;
        double[] w = want.toDoubleArray(), g = got.toDoubleArray(), w32 = torch32.toDoubleArray();
        double scale = maxAbs(w, null), err = maxAbs(w, g), torchErr = maxAbs(w, w32), vsTorch32 = maxAbs(w32, g);
        System.out.printf("%s on %s: max |out| %.4g; Java vs torch float64 max abs %.3g (relative %.3g), vs torch float32 %.3g; torch float32 vs float64 %.3g (relative %.3g); forward %.0f ms%n",
                fixture, be.name(), scale, err, err / scale, vsTorch32, torchErr, torchErr / scale, ms);
        new Tolerance(RTOL_OF_MAX * scale, 0).assertClose(fixture + " on " + be.name() + " against PyTorch (float64)", want, got);
    }

    /** max |a - b|, or max |a| when b is null. */
    private static double maxAbs(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - (b == null ? 0 : b[i])));
        return m;
    }

    private static Path resource(String name) throws URISyntaxException {
        URL url = TorchParityTest.class.getResource(name);
        assertNotNull(url, name + " is not on the test classpath (diffusion/src/test/resources; python3 bench/torch_parity.py writes it)");
        return Path.of(url.toURI());
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }
}
