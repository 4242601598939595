package org.svdd.app;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** `svdd compare` end to end on the committed DNA model (a few steps), and its errors for bad input. */
class CompareCommandTest {
    private static final Path DNA = Path.of("../models/dna-transformer.safetensors");

    private static void assertFails(String expected, String... args) {
        Object[] r = Cli.run(args);
        assertTrue((int) r[0] != 0, "should fail: " + String.join(" ", args));
        assertTrue(((String) r[1]).contains(expected), "error names the problem (" + expected + "): " + r[1]);
    }

    @Test
    void writesTableSamplesRewardsAndPlotAsItGoes(@TempDir Path out) throws Exception {
        Object[] r = Cli.run("compare", "--checkpoint", DNA.toString(), "--reward", "gc:0.6", "-n", "3", "-M", "2", "--steps", "4",
                "--methods", "pretrained,best-of-n,svdd-pm,smc", "--out", out.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        for (String f : List.of("table.md", "results.json", "rewards.csv", "rewards.png", "samples/svdd-pm.fasta", "samples/smc.fasta"))
            assertTrue(Files.size(out.resolve(f)) > 0, f);
        List<String> csv = Files.readAllLines(out.resolve("rewards.csv"));
        assertEquals(1 + 4 * 3, csv.size());
        assertEquals("id,method,seed,sample,reward,file", csv.get(0));
        assertTrue(csv.get(9).startsWith("svdd-pm-2,svdd-pm,0,2,") && csv.get(9).endsWith(",samples/svdd-pm.fasta"), csv.get(9));
        String reward = csv.get(9).split(",")[4];
        assertTrue(Files.readAllLines(out.resolve("samples/svdd-pm.fasta")).contains(">svdd-pm-2 reward=" + reward));

        JsonObject json = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject();
        assertEquals(List.of("checkpoint", "reward", "steps", "n", "seed", "seeds", "bootstrap", "config", "methods"), List.copyOf(json.keySet()));
        assertEquals(1, json.get("seeds").getAsInt());
        assertEquals("gc:0.6", json.get("reward").getAsString());
        JsonObject svdd = json.getAsJsonArray("methods").get(2).getAsJsonObject();
        assertEquals("svdd-pm", svdd.get("method").getAsString());
        assertEquals(2, svdd.getAsJsonObject("settings").get("m").getAsInt());
        assertTrue(svdd.get("denoiser_rows_per_sample").getAsDouble() > 0, svdd.toString());
        assertEquals(3, svdd.getAsJsonArray("rewards").size());
    }

    @Test
    void moleculeRowsSayWhichShareOfTheSamplesAreMolecules(@TempDir Path out) throws Exception {
        Object[] r = Cli.run("compare", "--checkpoint", "../models/selfies-transformer.safetensors", "--reward", "qed", "-n", "4", "--steps", "4",
                "--methods", "pretrained", "--out", out.resolve("smiles").toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        JsonObject row = JsonParser.parseString(Files.readString(out.resolve("smiles/results.json"))).getAsJsonObject()
                .getAsJsonArray("methods").get(0).getAsJsonObject();
        List<String> smiles = Files.readAllLines(out.resolve("smiles/samples/pretrained.smi")).stream().map(l -> l.split("\t", -1)[0]).toList();
        assertEquals(org.svdd.chem.Molecules.validFraction(smiles), row.get("valid").getAsDouble(), 1e-12);
        assertEquals(1.0, row.get("valid").getAsDouble(), 0, "a SELFIES model's samples are all molecules: " + smiles);
        r = Cli.run("compare", "--checkpoint", DNA.toString(), "--reward", "gc:0.5", "-n", "2", "--steps", "2", "--methods", "pretrained",
                "--out", out.resolve("dna").toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        assertTrue(JsonParser.parseString(Files.readString(out.resolve("dna/results.json"))).getAsJsonObject()
                .getAsJsonArray("methods").get(0).getAsJsonObject().get("valid").isJsonNull(), "no validity for DNA");
    }

    @Test
    void rnaRowsScoreWithInfernalAndSayWhichShareAreTrnas(@TempDir Path out) throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(DemoCommand.infernalMissing() == null, "Infernal: " + DemoCommand.infernalMissing());
        Object[] r = Cli.run("compare", "--checkpoint", "../models/trna-transformer.safetensors", "--reward", "cm", "-n", "3", "--steps", "4",
                "--methods", "pretrained", "--out", out.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        JsonObject row = JsonParser.parseString(Files.readString(out.resolve("results.json"))).getAsJsonObject()
                .getAsJsonArray("methods").get(0).getAsJsonObject();
        double valid = row.get("valid").getAsDouble();
        assertTrue(valid >= 0 && valid <= 1, "the share of samples Infernal calls tRNAs: " + valid);
        List<org.svdd.diffusion.data.Fasta.Record> samples = org.svdd.diffusion.data.Fasta.read(out.resolve("samples/pretrained.fasta"));
        assertEquals(3, samples.size());
        for (var s : samples) assertTrue(s.sequence().matches("[ACGU]*"), "RNA letters, padding left out: " + s.sequence());
        assertEquals(3, row.getAsJsonArray("rewards").size());
    }

    @Test
    void badInputIsNamed(@TempDir Path out) {
        String ck = DNA.toString(), o = out.toString();
        assertFails("unknown method 'svdd-xx'", "compare", "--checkpoint", ck, "--methods", "svdd-xx", "--out", o);
        assertFails("-M must be >= 1", "compare", "--checkpoint", ck, "-M", "0", "--out", o);
        assertFails("--seeds must be >= 1, got 0", "compare", "--checkpoint", ck, "--seeds", "0", "--out", o);
        assertFails("--seeds must be >= 1, got 0", "demo", "--seeds", "0", "--out", o);
        assertFails("--alpha must be >= 0", "compare", "--checkpoint", ck, "--alpha", "-1", "--out", o);
        assertFails("unknown --reward 'foo'", "compare", "--checkpoint", ck, "--reward", "foo", "--out", o);
        assertFails("--reward jpeg needs an image model", "compare", "--checkpoint", ck, "--reward", "jpeg", "--out", o);
        assertFails("no JASPAR motif", "compare", "--checkpoint", ck, "--reward", "motif:NOPE", "--out", o);
        assertFails("needs --value-net", "compare", "--checkpoint", ck, "--reward", "gc:0.5", "--methods", "svdd-mc", "--out", o);
        assertFails("was trained for reward 'motif:TBP', not 'gc:0.5'", "compare", "--checkpoint", ck, "--reward", "gc:0.5",
                "--value-net", "../models/dna-value-tbp.safetensors", "--out", o);
        assertFails("not a value network", "compare", "--checkpoint", ck, "--reward", "gc:0.5", "--value-net", ck, "--out", o);
        assertFails("--guidance must be >= 0", "compare", "--checkpoint", ck, "--guidance", "-2", "--out", o);
        assertFails("unknown --potential 'foo'", "compare", "--checkpoint", ck, "--potential", "foo", "--out", o);
        assertFails("no such file", "compare", "--checkpoint", "nope.safetensors", "--out", o);
        assertFails("Unknown option", "compare", "--checkpoint", ck, "--bogus", "--out", o);
        assertFails("exited with status 7", "compare", "--checkpoint", ck, "--reward", "exec:exit 7", "--methods", "pretrained",
                "-n", "2", "--steps", "2", "--out", o);
    }

    @Test
    void aDyingRewardProgramLosesNothingAlreadyWritten(@TempDir Path out) throws Exception {
        // the program works for the first method's 2 samples and dies on every later call
        Path counter = out.resolve("calls");
        String prog = "exec:n=$(cat " + counter + " 2>/dev/null || echo 0); echo $((n+1)) > " + counter
                + "; [ $n -ge 1 ] && exit 9; while read s; do echo 1; done";
        Object[] r = Cli.run("compare", "--checkpoint", DNA.toString(), "--reward", prog, "--methods", "pretrained,best-of-n",
                "-n", "2", "--steps", "2", "--out", out.toString());
        assertTrue((int) r[0] != 0 && ((String) r[1]).contains("status 9"), (String) r[1]);
        assertTrue(Files.exists(out.resolve("samples/pretrained.fasta")), "the first method's samples stay on disk");
        assertTrue(Files.readString(out.resolve("rewards.csv")).contains("pretrained-1,pretrained,0,1,1.0"));
    }
}
