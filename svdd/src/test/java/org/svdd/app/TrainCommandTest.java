package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.tensor.io.Safetensors;

import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** `svdd train --init`: a warm start from a committed checkpoint (deepened on request), the error for a checkpoint of another task, --unet and --loss-weight. */
class TrainCommandTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");
    private static final Path UNET = Path.of("../models/fashion-unet.safetensors");

    @Test
    void initStartsFromTheCheckpointsWeights(@TempDir Path dir) throws Exception {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Path export = dir.resolve("export.safetensors");
        // one step at a negligible learning rate: the exported EMA weights must be the initial ones
        Object[] r = Cli.run("train", "--task", "dna", "--init", DNA.toString(), "--steps", "1", "--lr", "1e-12", "--batch", "2",
                "--out", dir.resolve("run.safetensors").toString(), "--export", export.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        Map<String, org.svdd.tensor.Tensor> init = Safetensors.read(DNA).tensors(), out = Safetensors.read(export).tensors();
        assertEquals(init.keySet(), out.keySet());
        for (String name : init.keySet())
            assertArrayEquals(init.get(name).toDoubleArray(), out.get(name).toDoubleArray(), 1e-6, name);
    }

    @Test
    void emaDecayZeroExportsTheTrainedWeights(@TempDir Path dir) throws Exception {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Path run = dir.resolve("run.safetensors"), export = dir.resolve("export.safetensors");
        // with decay 0 the average is the last step's weights; with the default it would still be 99.5% the initial ones
        Object[] r = Cli.run("train", "--task", "dna", "--init", DNA.toString(), "--steps", "1", "--lr", "1e-2", "--batch", "2",
                "--ema-decay", "0", "--out", run.toString(), "--export", export.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        Map<String, org.svdd.tensor.Tensor> trained = Safetensors.read(run).tensors(), out = Safetensors.read(export).tensors(),
                init = Safetensors.read(DNA).tensors();
        boolean moved = false;
        for (String name : out.keySet()) {
            double[] w = out.get(name).toDoubleArray();
            assertArrayEquals(trained.get("model." + name.substring("ema.".length())).toDoubleArray(), w, 0, name);
            moved |= !java.util.Arrays.equals(init.get(name).toDoubleArray(), w);
        }
        assertTrue(moved, "one step at lr 1e-2 changed no weight");
    }

    @Test
    void aBatchThatCannotFitIsRefusedBeforeTheFirstStep(@TempDir Path dir) {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Path run = dir.resolve("run.safetensors");
        Object[] r = Cli.run("train", "--task", "dna", "--steps", "1", "--batch", "1000000", "--out", run.toString());
        assertEquals(Main.USAGE, (int) r[0], (String) r[1]);
        assertTrue(((String) r[1]).contains("--batch 1000000 puts 1,000,000 rows through the model at once"), (String) r[1]);
        assertTrue(!java.nio.file.Files.exists(run), "no checkpoint was written");
    }

    @Test
    void emaDecayOutsideTheUnitIntervalIsNamed(@TempDir Path dir) {
        Object[] r = Cli.run("train", "--task", "dna", "--ema-decay", "1.5", "--steps", "1", "--out", dir.resolve("run.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--ema-decay must be in [0, 1], got 1.5"), (String) r[1]);
    }

    @Test
    void initFromAnotherTasksModelIsNamed(@TempDir Path dir) {
        assumeTrue(DnaDataset.locateDmUpstream() != null, "fly promoters not installed (scripts/fetch-data.sh)");
        Object[] r = Cli.run("train", "--task", "dna", "--init", UNET.toString(), "--steps", "1", "--batch", "2",
                "--out", dir.resolve("run.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("holds a model of images, not of DNA sequences"), (String) r[1]);
    }

    @Test
    void unetKeysChooseTheFreshModelAndUnknownKeysAreNamed(@TempDir Path dir) throws Exception {
        assumeTrue(ImageDataset.locateFashionMnist() != null, "Fashion-MNIST not installed (scripts/fetch-data.sh)");
        Path run = dir.resolve("run.safetensors");
        Object[] r = Cli.run("train", "--task", "fashion", "--unet", "base=16", "--unet", "mults=1,2", "--unet", "attnResolutions=16", "--steps", "1",
                "--batch", "2", "--out", run.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        Map<String, String> meta = Safetensors.read(run).metadata();
        assertEquals("16", meta.get("unet.base"));
        assertEquals("1,2", meta.get("unet.mults"));
        assertEquals("1", meta.get("unet.resBlocks"));
        r = Cli.run("train", "--task", "fashion", "--unet", "width=3", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--unet: unknown config key 'unet.width'"), (String) r[1]);
        r = Cli.run("train", "--task", "dna", "--unet", "base=16", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue(((String) r[1]).contains("--unet applies to --task fashion only"), (String) r[1]);
        r = Cli.run("train", "--task", "fashion", "--loss-weight", "min-snr:x", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--loss-weight: loss weighting 'min-snr:x': gamma 'x' is not a number"), (String) r[1]);
    }

    @Test
    void initWithMoreResidualBlocksDeepensTheModel(@TempDir Path dir) throws Exception {
        assumeTrue(ImageDataset.locateFashionMnist() != null, "Fashion-MNIST not installed (scripts/fetch-data.sh)");
        Path export = dir.resolve("export.safetensors");
        Object[] r = Cli.run("train", "--task", "fashion", "--init", UNET.toString(), "--unet", "resBlocks=2", "--steps", "1", "--lr", "1e-12",
                "--batch", "2", "--out", dir.resolve("run.safetensors").toString(), "--export", export.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        Safetensors.Checkpoint out = Safetensors.read(export);
        assertEquals("2", out.metadata().get("unet.resBlocks"));
        Map<String, org.svdd.tensor.Tensor> init = Safetensors.read(UNET).tensors();
        // kept blocks keep their weights; on the way up the old second block is now the third
        for (String[] moved : new String[][]{{"down.1.res.0.conv1.weight", "down.1.res.0.conv1.weight"}, {"up.0.res.0.conv2.weight", "up.0.res.0.conv2.weight"},
                {"up.2.res.1.skip.weight", "up.2.res.2.skip.weight"}, {"up.2.attn.1.attn.qkv.weight", "up.2.attn.2.attn.qkv.weight"}}) {
            assertArrayEquals(init.get("ema." + moved[0]).toDoubleArray(), out.tensors().get("ema." + moved[1]).toDoubleArray(), 1e-6, moved[0]);
        }
        assertEquals(0, out.tensors().get("ema.down.0.res.1.conv2.weight").abs().sum().item(), 1e-9, "an inserted block starts as the identity");
        r = Cli.run("train", "--task", "fashion", "--init", UNET.toString(), "--unet", "base=64", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--unet with --init can only add residual blocks"), (String) r[1]);
    }

    @Test
    void lossWeightIsStoredInTheMetadataAndKeptByInitAndResume(@TempDir Path dir) throws Exception {
        assumeTrue(ImageDataset.locateFashionMnist() != null, "Fashion-MNIST not installed (scripts/fetch-data.sh)");
        Path run = dir.resolve("run.safetensors"), export = dir.resolve("export.safetensors");
        Object[] r = Cli.run("train", "--task", "fashion", "--unet", "base=16", "--unet", "mults=1,2", "--unet", "attnResolutions=16", "--steps", "1",
                "--batch", "2", "--loss-weight", "min-snr:5", "--out", run.toString(), "--export", export.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        assertEquals("min-snr:5", Safetensors.read(run).metadata().get("process.lossWeighting"));
        assertEquals("min-snr:5", Safetensors.read(export).metadata().get("process.lossWeighting"));
        // resumed without the option: the checkpoint's weighting continues
        r = Cli.run("train", "--task", "fashion", "--steps", "2", "--batch", "2", "--out", run.toString(), "--resume");
        assertEquals(0, (int) r[0], (String) r[1]);
        assertEquals("min-snr:5", Safetensors.read(run).metadata().get("process.lossWeighting"));
        // a warm start inherits it; the option replaces it
        Path next = dir.resolve("next.safetensors");
        r = Cli.run("train", "--task", "fashion", "--init", export.toString(), "--steps", "1", "--batch", "2", "--out", next.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        assertEquals("min-snr:5", Safetensors.read(next).metadata().get("process.lossWeighting"));
        r = Cli.run("train", "--task", "fashion", "--init", export.toString(), "--loss-weight", "uniform", "--steps", "1", "--batch", "2",
                "--out", dir.resolve("uniform.safetensors").toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        assertEquals("uniform", Safetensors.read(dir.resolve("uniform.safetensors")).metadata().get("process.lossWeighting"));

        r = Cli.run("train", "--task", "fashion", "--loss-weight", "p2", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue((int) r[0] != 0);
        assertTrue(((String) r[1]).contains("--loss-weight: unknown loss weighting 'p2' (known: uniform, min-snr:GAMMA)"), (String) r[1]);
        r = Cli.run("train", "--task", "dna", "--loss-weight", "min-snr:5", "--steps", "1", "--out", dir.resolve("other.safetensors").toString());
        assertTrue(((String) r[1]).contains("--loss-weight applies to --task fashion only"), (String) r[1]);
    }
}
