package org.svdd.reward;

import org.svdd.diffusion.model.ImageClassifier;
import org.svdd.tensor.Backend;
import org.svdd.tensor.F;
import org.svdd.tensor.Grad;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Class-conditional image reward r(x) = log p(c | x) under a trained {@link ImageClassifier}, for images
 * (B, C, H, W) in [-1, 1]. It is differentiable in x (the classifier uses only smooth ops), so it serves both SVDD
 * (as a black-box score) and gradient guidance (DPS, classifier guidance).
 * <p>
 * The classifier's parameters are frozen (requiresGrad false) on construction: the reward is a fixed function of
 * x, and its backward pass then skips every weight gradient.
 */
public final class ClassifierReward implements Reward.Differentiable {
    private final ImageClassifier classifier;
    private final int target;

    /** r(x) = log p(target | x); freezes the classifier's parameters. */
    public ClassifierReward(ImageClassifier classifier, int target) {
        int classes = classifier.config().classes();
        if (target < 0 || target >= classes) throw new IllegalArgumentException("target class " + target + " outside 0.." + (classes - 1));
        this.classifier = classifier;
        this.target = target;
        for (Tensor p : classifier.parameters()) p.requiresGrad(false);
        classifier.eval();
    }

    /** The reward for class {@code target} of the classifier checkpoint at {@code file}, loaded onto {@code backend}. */
    public static ClassifierReward load(Path file, int target, Backend backend) throws IOException {
        return new ClassifierReward(ImageClassifier.load(file, backend), target);
    }

    public int target() {
        return target;
    }

    public ImageClassifier classifier() {
        return classifier;
    }

    /** x (B, C, H, W) -> log p(target | x), (B), with the graph reaching x. */
    @Override
    public Tensor forward(Tensor x) {
        return F.logSoftmax(classifier.logits(x), -1).select(1, target);             // (B, classes) -> (B)
    }

    /** The same numbers as {@link #forward}, without a graph. */
    @Override
    public double[] score(Tensor x0) {
        return Grad.noGrad(() -> forward(x0)).toDoubleArray();
    }
}
