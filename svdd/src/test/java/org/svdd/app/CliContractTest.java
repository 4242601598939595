package org.svdd.app;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contract of every command: options are checked before any model or data loads; a usage error exits with 2 and
 * one line plus a pointer to --help, a failure at run time with 1; nothing is overwritten without --force; default
 * paths resolve against the installation, not the current folder (the tests run in svdd/, which has no models/).
 */
class CliContractTest {
    private static final String DNA = "../models/dna-transformer.safetensors";

    /** Runs the arguments and checks the exit status and that stderr names the problem. */
    private static String expect(int status, String named, String... args) {
        Object[] r = Cli.run(args);
        String err = (String) r[1];
        assertEquals(status, (int) r[0], String.join(" ", args) + " -> " + err);
        assertTrue(err.contains(named), "names '" + named + "': " + err);
        return err;
    }

    @Test
    void aUsageErrorIsOneLineAndAPointerToHelp(@TempDir Path dir) {
        String err = expect(Main.USAGE, "--sweep: 'x' is not an integer",
                "compare", "--checkpoint", DNA, "--sweep", "1,x", "--out", dir.resolve("o").toString());
        assertEquals(2, err.strip().lines().count(), err);
        assertTrue(err.contains("Try 'svdd compare --help'"), err);
        assertFalse(Files.exists(dir.resolve("o")), "a refused command creates no output folder");
        expect(Main.USAGE, "Unknown option: '--bogus'", "compare", "--checkpoint", DNA, "--bogus", "--out", dir.toString());
        expect(Main.USAGE, "--sweep: M must be >= 1", "compare", "--checkpoint", DNA, "--sweep", "0", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "unknown method 'nope'", "compare", "--checkpoint", DNA, "--methods", "pretrained,nope", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--exec-penalty must be a finite number", "compare", "--checkpoint", DNA, "--exec-penalty", "NaN", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--reward gc:<target>: 'high' is not a number", "compare", "--checkpoint", DNA, "--reward", "gc:high", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--reward sum: unknown property 'mw'", "compare", "--checkpoint", DNA, "--reward", "sum:qed=1,mw=2", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--reward sa needs a molecule model", "compare", "--checkpoint", DNA, "--reward", "sa", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--reward jpeg needs an image model", "compare", "--checkpoint", DNA, "--reward", "jpeg", "--out", dir.resolve("o").toString());
        assertFalse(Files.exists(dir.resolve("o")), "refused once the model is read: still no output folder");
        expect(Main.USAGE, "-M 100000 with -n 32 puts 3,200,000 rows through the model at once", "compare", "--checkpoint", DNA, "-M", "100000",
                "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--batch 2000000000 puts 2,000,000,000 rows", "sample", "--checkpoint", DNA, "--batch", "2000000000", "--out", dir.resolve("o").toString());
        expect(Main.USAGE, "--tasks: unknown task 'pictures'", "demo", "--tasks", "images,pictures", "--out", dir.resolve("d").toString());
        expect(Main.USAGE, "-n must be >= 1", "sample", "--checkpoint", DNA, "-n", "0", "--out", dir.resolve("s").toString());
    }

    @Test
    void aFailureAtRunTimeExitsWithOne(@TempDir Path dir) {
        expect(Main.FAILED, "exited with status 7", "compare", "--checkpoint", DNA, "--reward", "exec:exit 7", "--methods", "pretrained",
                "-n", "2", "--steps", "2", "--out", dir.toString());
    }

    @Test
    void nothingIsOverwrittenWithoutForce(@TempDir Path dir) throws Exception {
        Path old = Files.writeString(dir.resolve("old.txt"), "an earlier run");
        expect(Main.USAGE, "is not empty; pass --force", "compare", "--checkpoint", DNA, "--methods", "pretrained", "-n", "1", "--steps", "1",
                "--out", dir.toString());
        expect(Main.USAGE, "is not empty; pass --force", "sample", "--checkpoint", DNA, "-n", "1", "--out", dir.toString());
        expect(Main.USAGE, "is not empty; pass --force", "demo", "--quick", "--out", dir.toString());
        // checked before the data loads: without the check this would fail on the missing data set, or train
        expect(Main.USAGE, "exists; pass --force", "train", "--task", "dna", "--out", old.toString());
        expect(Main.USAGE, "exists; pass --force", "train", "--task", "dna", "--out", dir.resolve("new.safetensors").toString(), "--export", old.toString());
        expect(Main.USAGE, "exists; pass --force", "train-value", "--checkpoint", DNA, "--out", old.toString());
        expect(Main.USAGE, "exists; pass --force", "train-oracle", "--out", old.toString());
        expect(Main.USAGE, "Missing required option: '--out", "train-oracle");
        expect(Main.USAGE, "is a folder; give a file name", "train", "--task", "dna", "--out", dir.toString());
        assertEquals("an earlier run", Files.readString(old));
        Path dnaRun = Files.copy(Path.of(DNA), dir.resolve("dna-run.safetensors"));
        expect(Main.USAGE, "holds a dna checkpoint, not a --task fashion one", "train", "--task", "fashion", "--resume", "--out", dnaRun.toString());

        Object[] r = Cli.run("compare", "--checkpoint", DNA, "--reward", "gc:0.5", "--methods", "pretrained", "-n", "1", "--steps", "1",
                "--out", dir.toString(), "--force");
        assertEquals(0, (int) r[0], (String) r[1]);
        assertTrue(Files.exists(dir.resolve("results.json")));
    }

    @Test
    void aRerunWithForceLeavesNoStaleOutputAndKeepsOtherFiles(@TempDir Path dir) throws Exception {
        Path stale = Files.createDirectories(dir.resolve("samples")).resolve("smc.fasta"), notes = dir.resolve("notes.txt");
        Files.writeString(stale, ">smc-0\nACGT\n");
        Files.writeString(notes, "mine");
        Object[] r = Cli.run("compare", "--checkpoint", DNA, "--reward", "gc:0.5", "--methods", "pretrained", "-n", "1", "--steps", "1",
                "--out", dir.toString(), "--force");
        assertEquals(0, (int) r[0], (String) r[1]);
        assertFalse(Files.exists(stale), "samples of a method not run this time are gone");
        assertTrue(Files.exists(dir.resolve("samples/pretrained.fasta")));
        assertEquals("mine", Files.readString(notes), "files the command does not write are left alone");
    }

    @Test
    void aSecondRunIntoTheSameFolderIsRefusedWhileTheFirstRuns(@TempDir Path dir) {
        Usage.claimOutputFolder(dir, "--out", false, java.util.List.of());   // as a running compare holds it
        try {
            expect(Main.USAGE, "is in use by another svdd run", "compare", "--checkpoint", DNA, "--methods", "pretrained", "-n", "1",
                    "--steps", "1", "--out", dir.toString(), "--force");
        } finally {
            Usage.releaseLocks();
        }
        Object[] r = Cli.run("compare", "--checkpoint", DNA, "--reward", "gc:0.5", "--methods", "pretrained", "-n", "1", "--steps", "1",
                "--out", dir.toString());
        assertEquals(0, (int) r[0], "the lock file alone does not make the folder 'not empty', and the lock is released: " + r[1]);
    }

    @Test
    void defaultPathsResolveAgainstTheInstallation(@TempDir Path dir) {
        assertTrue(Files.isRegularFile(Usage.installed("models/dna-transformer.safetensors")), "home " + Usage.home().toAbsolutePath());
        assertFalse(Files.exists(Path.of("models/dna-oracle.safetensors")), "the test runs outside the installation folder");
        // --reward oracle reads models/dna-oracle.safetensors of the installation
        Object[] r = Cli.run("compare", "--checkpoint", DNA, "--reward", "oracle", "--methods", "pretrained", "-n", "1", "--steps", "1",
                "--out", dir.toString());
        assertEquals(0, (int) r[0], (String) r[1]);
        expect(Main.USAGE, "the images task's model", "demo", "--models", dir.resolve("empty").toString(), "--out", dir.resolve("d").toString());
    }

    @Test
    void aCheckpointWithAnImpossibleConfigIsNamed(@TempDir Path dir) throws Exception {
        var ck = org.svdd.tensor.io.Safetensors.read(Path.of(DNA));
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(ck.metadata());
        meta.put("transformer.heads", "0");
        Path bad = dir.resolve("bad.safetensors");
        org.svdd.tensor.io.Safetensors.write(bad, ck.tensors(), meta);
        String err = expect(Main.FAILED, "heads and mlpRatio must be >= 1, got 128, 0, 4", "sample", "--checkpoint", bad.toString(), "-n", "1",
                "--out", dir.resolve("o").toString());
        assertFalse(err.contains("by zero"), err);
    }

    @Test
    void theVersionComesFromTheBuild() {
        java.io.StringWriter out = new java.io.StringWriter();
        picocli.CommandLine cli = Main.commandLine(new java.io.PrintWriter(new java.io.StringWriter()));
        cli.setOut(new java.io.PrintWriter(out, true));
        assertEquals(0, cli.execute("--version"));
        assertTrue(out.toString().matches("(?s)svdd-java \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?, java .*"), out.toString());
    }
}
