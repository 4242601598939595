package org.svdd.chem;

import org.svdd.tensor.Backends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.svdd.diffusion.data.SmilesDataset;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.diffusion.train.ModelKind;
import org.svdd.diffusion.train.Trainer;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.tensor.io.CheckpointException;
import org.svdd.tensor.io.Safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The SMILES model kind: its checkpoint carries the alphabet, and its samples decode to strings over it. */
class SmilesModelTest {
    @TempDir
    Path dir;

    private static final SmilesDataset DS = SmilesDataset.of(List.of("CCO", "c1ccccc1", "CC(=O)O", "N#CC"), List.of("a", "b", "c", "d"), 12);

    @Test
    void checkpointCarriesTheAlphabetAndSamplesDecode() throws IOException {
        Trainer.Config cfg = new Trainer.Config(3, 2, 1e-3, 1, 0.9, 1.0, 10, 5);
        Path ck = dir.resolve("smiles.safetensors"), export = dir.resolve("export.safetensors");
        Trainer.Data data = Trainer.tokens(Arrays.stream(DS.tokens()).asLongStream().toArray(), DS.count(), DS.length());
        DiffusionModel trained = Trainer.train(Backends.current(), init -> DiffusionModel.smiles(DS.alphabet(), DS.length(), init), data, cfg, ck, false,
                new PrintStream(new ByteArrayOutputStream()));
        Trainer.export(export, trained);
        assertEquals(DS.alphabet(), Safetensors.readHeader(export).metadata().get(DiffusionModel.Smiles.ALPHABET_KEY));

        DiffusionModel loaded = DiffusionModel.load(export, Backends.current());
        assertEquals(ModelKind.SMILES_TRANSFORMER, loaded.kind());
        DiffusionModel.Smiles smiles = (DiffusionModel.Smiles) loaded;
        assertEquals(DS.alphabet(), smiles.alphabet());
        assertEquals(DS.vocabSize(), smiles.net().config().vocab());
        Tensor x = Grad.noGrad(() -> Proposal.sample(loaded.proposal(4), 3, new Rng(1)));
        List<String> out = SmilesTokens.decode(x, smiles.alphabet());
        assertEquals(3, out.size());
        for (String s : out) assertTrue(s.length() <= DS.length() && s.chars().allMatch(c -> DS.alphabet().indexOf(c) >= 0), s);
    }

    @Test
    void aSmilesCheckpointWithoutAlphabetIsRefused() throws IOException {
        DiffusionModel m = DiffusionModel.smiles(DS.alphabet(), DS.length(), org.svdd.tensor.nn.Init.of(new Rng(0)));
        Map<String, String> meta = new LinkedHashMap<>(m.metadata());
        meta.remove(DiffusionModel.Smiles.ALPHABET_KEY);
        meta.put("kind", ModelKind.SMILES_TRANSFORMER.name());
        Path f = dir.resolve("no-alphabet.safetensors");
        Safetensors.write(f, Map.of("ema.x", Tensor.zeros(1)), meta);
        CheckpointException e = assertThrows(CheckpointException.class, () -> DiffusionModel.load(f, Backends.current()));
        assertTrue(e.getMessage().contains(DiffusionModel.Smiles.ALPHABET_KEY), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DiffusionModel.smiles("CC", 8, org.svdd.tensor.nn.Init.of(new Rng(0))));
        assertThrows(IllegalArgumentException.class, () -> DiffusionModel.create(ModelKind.SMILES_TRANSFORMER, org.svdd.tensor.nn.Init.of(new Rng(0))));
    }
}
