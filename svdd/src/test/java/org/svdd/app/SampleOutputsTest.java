package org.svdd.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.Fasta;
import org.svdd.diffusion.io.PngGrid;
import org.svdd.diffusion.process.Proposal;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every sample file names each sample by its id (method-index) and reward; results.json stays valid JSON. */
class SampleOutputsTest {
    private static final double[] REWARDS = {1.5, -2, 0.25};

    private static Task open(String model, String reward, Path dir) throws Exception {
        return Task.open(Path.of("../models/" + model), reward, null, dir, Task.ExecOptions.defaults());
    }

    private static Tensor sample(Task task, int n) {
        return Grad.noGrad(() -> Proposal.sample(task.proposal(2), n, new Rng(1)));
    }

    @Test
    void fastaHeadersCarryIdAndReward(@TempDir Path dir) throws Exception {
        Task task = open("dna-transformer.safetensors", "gc:0.5", dir);
        List<Task.SampleFile> files = task.writeSamples(sample(task, 3), REWARDS, dir, "svdd-pm");
        Path fasta = dir.resolve("svdd-pm.fasta");
        assertEquals(List.of(">svdd-pm-0 reward=1.500000", ">svdd-pm-1 reward=-2.000000", ">svdd-pm-2 reward=0.250000"),
                Files.readAllLines(fasta).stream().filter(l -> l.startsWith(">")).toList());
        assertEquals(List.of("svdd-pm-0", "svdd-pm-1", "svdd-pm-2"), Fasta.read(fasta).stream().map(Fasta.Record::id).toList());
        assertEquals(new Task.SampleFile(fasta, null, null), files.get(2));
    }

    @Test
    void smilesLinesAreSmilesIdReward(@TempDir Path dir) throws Exception {
        Task task = open("selfies-transformer.safetensors", "exec:true", dir);   // any reward: the test gives the rewards
        task.writeSamples(sample(task, 3), REWARDS, dir, "smc");
        List<String> lines = Files.readAllLines(dir.resolve("smc.smi"));
        assertEquals(3, lines.size());
        for (int i = 0; i < 3; i++) {
            String[] fields = lines.get(i).split("\t", -1);
            assertEquals(3, fields.length, lines.get(i));
            assertEquals("smc-" + i, fields[1]);
            assertEquals(REWARDS[i], Double.parseDouble(fields[2]), 0);
            assertTrue(org.svdd.chem.Molecules.isValid(fields[0]), "SELFIES tokens decode to a molecule: " + fields[0]);
        }
    }

    @Test
    void imagesGetTheirOwnPngAndACellInTheGrid(@TempDir Path dir) throws Exception {
        Task task = open("fashion-unet.safetensors", "jpeg", dir);
        int n = 10;
        Tensor x = new Rng(2).uniform(-1, 1, n, 1, 32, 32);
        List<Task.SampleFile> files = task.writeSamples(x, new double[n], dir, "best-of-n");
        Task.SampleFile last = files.get(9);
        assertEquals(new Task.SampleFile(dir.resolve("best-of-n/best-of-n-9.png"), dir.resolve("best-of-n.png"), "r1c1"), last);
        assertEquals("r0c7", files.get(7).cell());
        BufferedImage own = ImageIO.read(last.file().toFile()), grid = ImageIO.read(last.grid().toFile());
        float[] px = x.toFloatArray();
        assertEquals(32, own.getWidth());
        assertEquals(PngGrid.toByte(px[9 * 32 * 32 + 5 * 32 + 7]), own.getRaster().getSample(7, 5, 0));
        // the grid: 8 columns of 64 + 2 pixels (zoom 2, a 2-pixel border), 2 rows
        assertEquals(8 * 66 + 2, grid.getWidth());
        assertEquals(2 * 66 + 2, grid.getHeight());
        assertEquals(own.getRaster().getSample(7, 5, 0), grid.getRaster().getSample(2 + 66 + 2 * 7, 2 + 66 + 2 * 5, 0), "sample 9 at r1c1");
    }

    @Test
    void nonFiniteNumbersBecomeNull() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("q50", Double.NaN);
        m.put("rewards", new double[]{1, Double.POSITIVE_INFINITY});
        m.put("out", Path.of("runs", "a"));
        m.put("unset", null);
        JsonObject json = JsonParser.parseString(Comparison.toJson(m)).getAsJsonObject();
        assertTrue(json.get("q50").isJsonNull());
        assertEquals(1.0, json.getAsJsonArray("rewards").get(0).getAsDouble());
        assertTrue(json.getAsJsonArray("rewards").get(1).isJsonNull());
        assertEquals(Path.of("runs", "a").toString(), json.get("out").getAsString());
        assertTrue(json.has("unset"));
        assertTrue(JsonParser.parseString(Comparison.toJson(Double.NaN)).isJsonNull());
    }
}
