import org.svdd.diffusion.data.DnaDataset;
import org.svdd.diffusion.data.MotifFile;
import org.svdd.diffusion.process.Proposal;
import org.svdd.diffusion.train.DiffusionModel;
import org.svdd.reward.MotifReward;
import org.svdd.reward.Reward;
import org.svdd.sampling.Method;
import org.svdd.tensor.Backends;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * svdd-java from Java: load the committed DNA model, build the TATA-box reward (JASPAR TBP), then draw a few samples
 * with the pre-trained sampler and with SVDD-PM and print each method's median reward.
 *
 * <pre>
 * examples/run.sh                                  # finds JDK 25, builds if needed, runs this file
 * java --add-modules jdk.incubator.vector -cp "svdd/target/classes:svdd/target/lib/*" examples/QuickStart.java [model]
 * </pre>
 */
public class QuickStart {
    public static void main(String[] args) throws Exception {
        Path checkpoint = Path.of(args.length > 0 ? args[0] : "models/dna-transformer.safetensors");
        int n = 8, steps = 32, m = 8;      // samples per method, reverse steps, SVDD candidates per step
        long seed = 0;

        // 1. The pre-trained masked-diffusion model over 128-bp fly promoter windows, on the best available backend
        //    (-Dsvdd.backend=reference|cpu|cuda picks one); everything sampled from it stays on that backend.
        DiffusionModel model = DiffusionModel.load(checkpoint, Backends.current());

        // 2. The reward: the best log-odds score of the JASPAR TBP matrix over both strands (shipped in the jar).
        MotifFile.Motif tbp = MotifFile.byName(MotifFile.load(MotifFile.VERTEBRATES), "TBP").orElseThrow();
        Reward reward = new MotifReward(tbp);

        // 3. Each method runs on a proposal (one denoiser pass per step, then candidate draws) and the reward;
        //    Context counts their calls. SVDD-MC would take a value network here (ValueNet.load(file, backend)).
        double[] medians = new double[2];
        Method[] methods = {Method.PRETRAINED, Method.SVDD_PM};
        for (int k = 0; k < methods.length; k++) {
            Method method = methods[k];
            Proposal proposal = model.proposal(steps);
            Method.Context ctx = Method.Context.of(proposal, reward, null, null);
            long t0 = System.nanoTime();
            Tensor x = method.run(ctx, Method.Settings.defaults(m), Rng.streams(seed, 0, n));   // (n, 128) token ids; one stream per sample
            double secs = (System.nanoTime() - t0) / 1e9;

            double[] r = reward.score(x);
            medians[k] = median(r);
            int best = 0;
            for (int i = 1; i < r.length; i++) if (r[i] > r[best]) best = i;
            System.out.printf(Locale.ROOT, "%-10s median reward %6.3f  (n = %d, %d steps, M = %d, %.1f denoiser rows per sample, %.1f s)%n",
                    method.cliName(), medians[k], n, steps, m, ctx.cost().denoiserRows() / (double) n, secs);
            int len = x.dim(1);
            System.out.printf(Locale.ROOT, "           best sample (%.3f): %s%n", r[best], DnaDataset.decode(x.toIntArray(), best * len, len));
        }
        // The same seed gives the same samples, so this is a check as well as an example (CI runs it).
        if (!(medians[1] > medians[0])) {
            System.err.printf(Locale.ROOT, "QuickStart: svdd-pm's median %.3f is not above the pre-trained sampler's %.3f%n", medians[1], medians[0]);
            System.exit(1);
        }
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        int k = s.length / 2;
        return s.length % 2 == 1 ? s[k] : (s[k - 1] + s[k]) / 2;
    }
}
