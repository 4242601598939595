package org.svdd.app;

import org.svdd.chem.SelfiesDataset;
import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.SmilesFile;
import org.svdd.diffusion.data.Vocabulary;
import org.svdd.diffusion.data.ImageDataset;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.tensor.Backend;
import org.svdd.tensor.Grad;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;
import org.svdd.value.ValueNet;
import org.svdd.value.ValueTraining;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;
import java.util.concurrent.Callable;

/**
 * Trains the SVDD-MC value network for a model and reward: rollouts of the pre-trained sampler (default) or
 * forward-noised real data, then MSE regression with progress, atomic checkpoints and resume.
 */
@Command(name = "train-value", mixinStandardHelpOptions = true,
        description = "Train an SVDD-MC value network v(x_t, t) ~ E[r(x0) | x_t] for a model and a reward.")
final class TrainValueCommand implements Callable<Integer> {
    @Option(names = "--checkpoint", required = true, description = "The pre-trained diffusion model.")
    Path checkpoint;

    @Option(names = "--reward", description = "Reward spec (" + RewardSpec.KNOWN + "). Default: the model's demo reward.")
    String reward;

    @Option(names = "--source", defaultValue = "rollout", description = "rollout (label every state of pre-trained trajectories with their final reward) or data (forward-noised real data). Default: ${DEFAULT-VALUE}")
    String source;

    @Option(names = "--rollouts", defaultValue = "256", description = "Trajectories (rollout) or real samples (data) to label. Default: ${DEFAULT-VALUE}")
    int rollouts;

    @Option(names = "--sample-steps", description = "Reverse steps of the rollouts; use the steps you will sample with (default 50 images, 128 sequences).")
    Integer sampleSteps;

    @Option(names = "--holdout", defaultValue = "0.1", description = "Share of the rollouts held out of training (whole trajectories, spread evenly): "
            + "the value net's correlation with r(x0) on them is reported per noise level. Default: ${DEFAULT-VALUE}")
    double holdout;

    @Option(names = "--rounds", defaultValue = "1", description = "Online rounds: round 1 labels pre-trained rollouts; each further round adds as many SVDD-MC "
            + "rollouts (M = --online-m, argmax) guided by the previous round's net, and fits a fresh net to all of them. Default: ${DEFAULT-VALUE}")
    int rounds;

    @Option(names = "--online-m", defaultValue = "10", description = "Candidates per step of the online rounds' SVDD-MC rollouts; use the M you will sample with. Default: ${DEFAULT-VALUE}")
    int onlineM;

    @Option(names = "--steps", defaultValue = "1500", description = "Optimiser steps (per round). Default: ${DEFAULT-VALUE}")
    int steps;

    @Option(names = "--batch", defaultValue = "128", description = "Rows per step. Default: ${DEFAULT-VALUE}")
    int batch;

    @Option(names = "--lr", defaultValue = "2e-3", description = "Peak learning rate. Default: ${DEFAULT-VALUE}")
    double lr;

    @Option(names = "--width", defaultValue = "32", description = "Channels of the value net's first layer. Default: ${DEFAULT-VALUE}")
    int width;

    @Option(names = "--seed", defaultValue = "0", description = "Seed. Default: ${DEFAULT-VALUE}")
    long seed;

    @Option(names = "--checkpoint-every", defaultValue = "250", description = "Steps between checkpoints. Default: ${DEFAULT-VALUE}")
    int every;

    @Option(names = "--out", required = true, description = "Value-net checkpoint, rewritten atomically every --checkpoint-every steps.")
    Path out;

    @Option(names = "--export", description = "Also write the weights alone (no optimizer state) to this file: the small file to commit or share.")
    Path export;

    @Option(names = "--resume", description = "Continue from --out if it exists (the rollouts are regenerated from the same seed); without it, an existing --out is refused unless --force.")
    boolean resume;

    @Option(names = "--force", description = "Overwrite an existing --out (without --resume) or --export file.")
    boolean force;

    @Override
    public Integer call() throws Exception {
        // every option and output is checked before the model loads
        Usage.atLeast(rollouts, 1, "--rollouts");
        Usage.require(source.equals("rollout") || source.equals("data"), "unknown --source '" + source + "' (known: rollout, data)");
        if (sampleSteps != null) Usage.atLeast(sampleSteps, 1, "--sample-steps");
        Usage.atLeast(steps, 1, "--steps");
        Usage.atLeast(batch, 1, "--batch");
        Usage.atLeast(width, 1, "--width");
        Usage.atLeast(every, 1, "--checkpoint-every");
        Usage.require(holdout >= 0 && holdout < 1, "--holdout must be in [0, 1), got " + holdout);
        Usage.atLeast(rounds, 1, "--rounds");
        Usage.atLeast(onlineM, 1, "--online-m");
        Usage.require(rounds == 1 || source.equals("rollout"), "--rounds needs --source rollout (online rounds add rollouts)");
        Usage.require(rounds == 1 || !resume, "--resume continues a one-round run; online rounds (--rounds " + rounds + ") start over");
        Usage.require(lr > 0, "--lr must be > 0, got " + lr);
        if (reward != null) RewardSpec.parse(reward);
        Usage.inputFile(checkpoint, "--checkpoint");
        Usage.outputFile(out, "--out", resume || force);
        if (export != null) Usage.outputFile(export, "--export", force);
        if (export != null) for (int k = 1; k < rounds; k++) Usage.outputFile(roundFile(export, k), "--export (round " + k + ")", force);
        Task task = Task.open(checkpoint, reward, null, out.toAbsolutePath().getParent(), Task.ExecOptions.defaults());
        ValueNet.Config netConfig = Task.valueNetConfig(task.model, width);
        Rng rng = new Rng(seed);
        ValueTraining.Config cfg = new ValueTraining.Config(steps, batch, lr, every, seed);
        Backend backend = task.model.module().backend();
        ValueNet net;
        Map<String, String> eval = new LinkedHashMap<>();
        if (source.equals("data")) {
            ValueTraining.Data data = forwardNoised(task, netConfig, rng);
            task.close();                                                   // the labels are made: a worker: reward may stop
            net = ValueTraining.train(backend, netConfig, data, cfg, out, resume, task.provenance(source), System.out);
            int[] probe = new int[Math.min(1024, data.count())];
            Rng pr = new Rng(seed + 7);
            for (int i = 0; i < probe.length; i++) probe[i] = pr.nextInt(data.count());
            System.out.printf("correlation of v(x_t, t) with r(x0) on %d training rows: %.3f%n", probe.length,
                    ValueTraining.correlation(net, data.batch(net.backend(), probe, pr)));
        } else {
            Proposal p = task.proposal(sampleSteps != null ? sampleSteps : task.defaultSteps());
            List<ValueTraining.Rollouts> perRound = new ArrayList<>();
            ValueTraining.Rollouts all = null;
            net = null;
            for (int round = 1; round <= rounds; round++) {
                if (rounds > 1) System.out.printf("round %d of %d: %s%n", round, rounds, round == 1 ? "pre-trained rollouts" : "SVDD-MC rollouts with M = " + onlineM);
                ValueTraining.Rollouts r = ValueTraining.rollouts(p, task.reward, netConfig, rollouts, 64, net, onlineM, rng, System.out);
                perRound.add(r);
                if (round == 1 && holdout > 0) {                                  // the yardstick: how well SVDD-PM's value predicts the same labels
                    ValueTraining.HeldOut pm = ValueTraining.heldOut(ValueTraining.posteriorMean(p, task.reward), backend, r, holdout, 4);
                    System.out.println("yardstick, SVDD-PM's value r(x0_hat(x_t)) on the held-out pre-trained rollouts: " + pm.describe());
                    eval.put("eval.heldOut.posteriorMean", pm.describe());
                }
                all = all == null ? r : all.plus(r);
                if (round == rounds) task.close();                              // the labels are made: a worker: reward may stop
                IntPredicate training = k -> !ValueTraining.Rollouts.heldOut(k % rollouts, holdout);
                Map<String, String> prov = new LinkedHashMap<>(task.provenance(source));
                prov.putAll(rolloutProvenance(p.steps(), round));
                net = ValueTraining.train(backend, netConfig, all.rows(training), cfg, out, resume, prov, System.out);
                if (holdout > 0)
                    for (int k = 0; k < perRound.size(); k++) {
                        String what = k == 0 ? "pre-trained rollouts" : "round-" + (k + 1) + " SVDD-MC rollouts";
                        ValueTraining.HeldOut h = ValueTraining.heldOut(ValueTraining.of(net, p), backend, perRound.get(k), holdout, 4);
                        System.out.printf("round %d net, held-out correlation of v(x_t, t) with r(x0) on %s: %s%n", round, what, h.describe());
                        if (round == rounds) eval.put("eval.heldOut." + (k == 0 ? "pretrained" : "round" + (k + 1)), h.describe());
                    }
                if (round < rounds && export != null) {                         // each round's net, to compare the rounds with svdd-mc
                    Path file = roundFile(export, round);
                    net.save(file, exportMetadata(Map.of()));
                    System.out.println("exported round " + round + "'s weights to " + file);
                }
            }
        }
        if (export != null) {
            net.save(export, exportMetadata(eval));
            System.out.println("exported weights to " + export);
        }
        System.out.println("wrote " + out);
        return 0;
    }

    /** The training checkpoint's provenance (not its own config or label scale, which the net writes) with {@code eval} added. */
    private Map<String, String> exportMetadata(Map<String, String> eval) throws IOException {
        Map<String, String> meta = new LinkedHashMap<>(ValueNet.metadata(out));
        meta.keySet().removeIf(k -> k.startsWith("value.") || k.startsWith("label.") || k.equals("kind"));
        meta.putAll(eval);
        return meta;
    }

    /** Where round k's weights go beside the final export: v.safetensors -> v.round1.safetensors. */
    static Path roundFile(Path export, int round) {
        String name = export.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String stem = dot > 0 ? name.substring(0, dot) : name, ext = dot > 0 ? name.substring(dot) : "";
        return export.resolveSibling(stem + ".round" + round + ext);
    }

    /** What the rollouts were: the sampler's step count (use the net with it), trajectories per round, rounds, held-out share. */
    private Map<String, String> rolloutProvenance(int sampleSteps, int round) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("train.sampleSteps", Integer.toString(sampleSteps));
        m.put("train.rollouts", rollouts + " per round");
        m.put("train.rounds", round + (round > 1 ? " (online, SVDD-MC M = " + onlineM + ")" : ""));
        m.put("train.holdout", Double.toString(holdout));
        return m;
    }

    /** Real x0 (with rewards computed once), noised afresh in every batch: x_t ~ q(x_t | x0) at a uniform noise level. */
    private ValueTraining.Data forwardNoised(Task task, ValueNet.Config net, Rng rng) throws Exception {
        Tensor x0;
        switch (task.model) {
            case DiffusionModel.Images i -> {
                ImageDataset ds = ImageDataset.fashionMnist(TrainCommand.required(ImageDataset.locateFashionMnist(), "Fashion-MNIST"), true, net.size());
                int n = Math.min(rollouts, ds.count()), px = net.size() * net.size();
                x0 = i.net().backend().upload(HostStorage.of(Arrays.copyOf(ds.pixels(), n * px)), n, 1, net.size(), net.size());
            }
            case DiffusionModel.Sequences s when s.vocabulary().notation() == Vocabulary.Notation.SELFIES -> {
                SelfiesDataset ds = SelfiesDataset.wehi(TrainCommand.required(SmilesFile.locateWehi(), "WEHI SMILES")).train();
                Usage.require(ds.vocabulary().equals(s.vocabulary()) && ds.length() == net.size(),
                        "--source data: the WEHI SELFIES tokens are not those of " + task.checkpoint + " (another vocabulary or length)");
                int n = Math.min(rollouts, ds.count());
                x0 = s.net().backend().upload(HostStorage.of(Arrays.copyOf(ds.longTokens(), n * net.size())), n, net.size());
            }
            case DiffusionModel.Sequences s -> {
                DnaDataset ds = DnaDataset.promoters(TrainCommand.required(DnaDataset.locateDmUpstream(), "fly promoters"), net.size(), 0.1, 0).train();
                int n = Math.min(rollouts, ds.count());
                x0 = s.net().backend().upload(HostStorage.of(Arrays.copyOf(ds.tokens(), n * net.size())), n, net.size()).toDType(org.svdd.tensor.DType.I64);
            }
        }
        double[] labels = task.reward.score(x0);
        int n = x0.dim(0);
        System.out.printf("labelled %d real samples: mean reward %.3f%n", n, Arrays.stream(labels).average().orElse(Double.NaN));
        Tensor all = x0;
        return new ValueTraining.Data() {
            @Override
            public int count() {
                return n;
            }

            @Override
            public double[] labels() {
                return labels;
            }

            @Override
            public ValueTraining.Batch batch(Backend backend, int[] rows, Rng r) {
                double[] y = new double[rows.length];
                for (int k = 0; k < rows.length; k++) y[k] = labels[rows[k]];
                float[] times = new float[rows.length];
                Tensor in = Grad.noGrad(() -> switch (task.model) {
                    case DiffusionModel.Images i -> {
                        Tensor clean = Proposal.rows(all, rows);
                        int total = i.process().schedule().steps();
                        int[] t = new int[rows.length];
                        for (int k = 0; k < t.length; k++) {
                            t[k] = r.nextInt(total);
                            times[k] = (t[k] + 1f) / total;
                        }
                        yield i.process().qSample(clean, t, r.randn(clean.backend(), clean.shape()));
                    }
                    case DiffusionModel.Sequences s -> {
                        Tensor clean = Proposal.rows(all, rows);
                        double[] t = new double[rows.length];
                        for (int k = 0; k < t.length; k++) times[k] = (float) (t[k] = r.uniform());
                        Tensor xt = s.process().qSample(clean, t, r);
                        yield ValueNet.input(net, xt);
                    }
                });
                return new ValueTraining.Batch(in, backend.upload(HostStorage.of(times), rows.length), y);
            }
        };
    }
}
