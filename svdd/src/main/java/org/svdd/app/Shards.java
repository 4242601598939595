package org.svdd.app;

import org.svdd.sampling.Cost;
import org.svdd.sampling.Method;
import org.svdd.tensor.Backend;
import org.svdd.tensor.DType;
import org.svdd.tensor.HostStorage;
import org.svdd.tensor.Rng;
import org.svdd.tensor.Tensor;

import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.IntConsumer;

/**
 * A method's run cut into shards: samples [first, first + count) of the run, each drawn from its own per-sample stream
 * ({@link Rng#streams}), so that a chain-independent method's samples are the same bits whether the run is drawn
 * whole in this JVM or shard by shard elsewhere. The particle methods (smc, fk-steering, nested-is) run one population
 * per shard instead of one for the whole run (an island model): another shard size gives other samples.
 *
 * <p>A shard names its task by files and specs ({@link TaskSpec}), so that a machine that has only the shipped files
 * can open it: the spark module runs shards on Spark executors through a {@link Runner}. The driver writes each
 * finished shard to disk at once ({@link Store}), so a crash loses only the shards still running, and a resumed run
 * skips the ones on disk.
 */
public final class Shards {
    private Shards() {
    }

    /**
     * A task as files and specs: the checkpoint and the value net by path (an executor finds its shipped copy by file
     * name), the reward spec as resolved on the driver (null: samples are not scored), and the exec options. Files a
     * reward spec names (an oracle, a classifier) and exec programs must be at the same path on every executor.
     */
    public record TaskSpec(String checkpoint, String reward, String valueNet, int execBatch, long execTimeoutMs, Double execPenalty)
            implements Serializable {
        /** Plain sampling: the checkpoint alone, no reward. */
        static TaskSpec unscored(Path checkpoint) {
            return new TaskSpec(checkpoint.toString(), null, null, 1, 1, null);
        }

        static TaskSpec of(Task task, Path valueNet, Task.ExecOptions exec) {
            return new TaskSpec(task.checkpoint.toString(), task.rewardSpec, valueNet == null ? null : valueNet.toString(), exec.batch(),
                    exec.timeoutMs(), exec.penalty());
        }

        /** The files to ship to every executor: the checkpoint, and the value net if there is one. */
        public List<Path> files() {
            return valueNet == null ? List.of(Path.of(checkpoint)) : List.of(Path.of(checkpoint), Path.of(valueNet));
        }

        /** Opens the task with each shipped file found by {@code local} from its file name. */
        Task open(Function<String, Path> local) throws IOException {
            if (reward == null) return Task.unscored(local.apply(Path.of(checkpoint).getFileName().toString()));
            Path work = Files.createTempDirectory("svdd-shard");
            Path net = valueNet == null ? null : local.apply(Path.of(valueNet).getFileName().toString());
            return Task.open(local.apply(Path.of(checkpoint).getFileName().toString()), reward, net, work,
                    new Task.ExecOptions(execBatch, execTimeoutMs, execPenalty));
        }
    }

    /**
     * Samples [first, first + count) of one run: a method with its settings and steps, from one seed; set is the run's
     * sample-set name (a method's label, or label-s&lt;k&gt; with several seeds). task is null for a run drawn on a task
     * already open in this JVM.
     */
    public record Job(TaskSpec task, String set, Method method, Method.Settings settings, int steps, long seed, int first, int count)
            implements Serializable {
        public Job {
            if (first < 0 || count < 1) throw new IllegalArgumentException("a shard needs first >= 0 and count >= 1, got " + first + ", " + count);
        }

        Job on(TaskSpec spec) {
            return new Job(spec, set, method, settings, steps, seed, first, count);
        }

        /** How messages name the shard: its set and sample range. */
        public String name() {
            return set + " samples " + first + ".." + (first + count - 1);
        }

        Rng streams() {
            return Rng.streams(seed, first, count);
        }
    }

    /**
     * What drawing cost: as {@link Cost} counts it, and the seconds of drawing where it ran (shards that ran side by
     * side add up, so the shares of denoiser and reward time are shares of this).
     */
    public record Spent(long denoiserRows, long gradientRows, long valueRows, long rewardCalls, double denoiserSeconds, double rewardSeconds,
                        double seconds) implements Serializable {
        static final Spent NONE = new Spent(0, 0, 0, 0, 0, 0, 0);

        static Spent of(Cost c, double seconds) {
            return new Spent(c.denoiserRows(), c.gradientRows(), c.valueRows(), c.rewardCalls(), c.denoiserSeconds(), c.rewardSeconds(), seconds);
        }

        Spent plus(Spent o) {
            return new Spent(denoiserRows + o.denoiserRows, gradientRows + o.gradientRows, valueRows + o.valueRows, rewardCalls + o.rewardCalls,
                    denoiserSeconds + o.denoiserSeconds, rewardSeconds + o.rewardSeconds, seconds + o.seconds);
        }
    }

    /**
     * A finished shard: its samples, shape (count, ...), as token ids (sequences) or pixels (images), their rewards
     * (null when the task has no reward), and what drawing them cost.
     */
    public record Result(Job job, int[] shape, long[] ids, float[] pixels, double[] rewards, Spent spent) implements Serializable {
        Tensor samples(Backend backend) {
            return ids != null ? backend.upload(HostStorage.of(ids), shape) : backend.upload(HostStorage.of(pixels), shape);
        }
    }

    /** A run's samples (n, ...), their rewards (null: not scored yet) and its cost. */
    record Drawn(Tensor x, double[] rewards, Spent spent) {
    }

    /** Draws the job's samples on an open task; onStep sees every reverse step (progress). Not scored. */
    static Drawn draw(Task task, Job job, IntConsumer onStep) {
        Method.Context ctx = Method.Context.of(task.proposal(job.steps()), task.reward, task.valueNet, task.differentiable);
        ctx.cost().onStep(onStep);
        long t0 = System.nanoTime();
        Tensor x = job.method().run(ctx, job.settings(), job.streams());
        return new Drawn(x, null, Spent.of(ctx.cost(), (System.nanoTime() - t0) / 1e9));
    }

    /** Tasks opened in this thread, by spec: an executor thread loads a model once, however many shards it runs. */
    private static final ThreadLocal<Map<TaskSpec, Task>> OPENED = ThreadLocal.withInitial(HashMap::new);

    /**
     * Runs a shard where it lands (a Spark task): the task opened on first use in this thread, its shipped files found
     * by {@code local}; the samples drawn and scored by the task's reward.
     */
    public static Result run(Job job, Function<String, Path> local) throws IOException {
        Map<TaskSpec, Task> opened = OPENED.get();
        Task task = opened.get(job.task());
        if (task == null) opened.put(job.task(), task = job.task().open(local));
        Drawn d = draw(task, job, i -> {
        });
        double[] r = task.reward == null ? null : task.reward.score(d.x());
        Tensor x = d.x().detach();
        boolean ids = x.dtype() != DType.F32;
        return new Result(job, x.shape(), ids ? x.toLongArray() : null, ids ? null : x.toFloatArray(), r, d.spent());
    }

    /** The run's samples [0, run.count()) as shards of at most {@code size} samples, in order. */
    static List<Job> split(Job run, int size) {
        if (size < 1) throw new IllegalArgumentException("shard size must be >= 1, got " + size);
        List<Job> jobs = new ArrayList<>();
        for (int first = run.first(); first < run.first() + run.count(); first += size)
            jobs.add(new Job(run.task(), run.set(), run.method(), run.settings(), run.steps(), run.seed(), first,
                    Math.min(size, run.first() + run.count() - first)));
        return jobs;
    }

    /** A run reassembled from its shards' results, in sample order: samples, rewards (null: unscored), the costs added up. */
    static Drawn gather(List<Result> parts, Backend backend) {
        List<Tensor> xs = new ArrayList<>();
        double[] rewards = parts.getFirst().rewards() == null ? null : new double[0];
        Spent spent = Spent.NONE;
        for (Result p : parts) {
            xs.add(p.samples(backend));
            if (rewards != null) {
                int at = rewards.length;
                rewards = Arrays.copyOf(rewards, at + p.rewards().length);
                System.arraycopy(p.rewards(), 0, rewards, at, p.rewards().length);
            }
            spent = spent.plus(p.spent());
        }
        return new Drawn(xs.size() == 1 ? xs.getFirst() : org.svdd.tensor.F.concat(xs, 0), rewards, spent);
    }

    /** Runs shards away from this JVM (the spark module's), found through a {@link Provider}. */
    public interface Runner extends AutoCloseable {
        /**
         * Runs the jobs, calling {@code done} on this thread as each one finishes. Shards that fail every attempt do
         * not stop the others: once all have ended, an IOException names each failed shard and its cause.
         */
        void run(List<Job> jobs, Consumer<Result> done) throws IOException;

        /** Shards the cluster runs at once (Spark's default parallelism). */
        int parallelism();

        @Override
        void close();
    }

    /** Opens a {@link Runner} for a master URL; the spark module registers one as a service. */
    public interface Provider {
        /**
         * @param master  the master URL (local[N], spark://host:port, yarn, ...), or null under spark-submit
         * @param task    the task every shard runs on: its files are shipped to the executors
         * @param retries how many times a failed shard is run again before the run fails
         */
        Runner open(String master, TaskSpec task, int retries, PrintStream log) throws IOException;
    }

    /** The runner of --spark, or a usage error when no provider is on the class path. */
    static Runner runner(String master, TaskSpec task, int retries, PrintStream log) throws IOException {
        Provider p = ServiceLoader.load(Provider.class).findFirst()
                .orElseThrow(() -> new Usage.Error("--spark needs the spark module on the class path: ./svdd.sh adds it once built "
                        + "(./mvnw -B -q install -DskipTests), or use the shaded jar spark/target/svdd-spark-*-all.jar"));
        return p.open(master, task, retries, log);
    }

    /**
     * A run through a runner: its shards run there, each written to the store as it finishes; with {@code resume},
     * shards already in the store for this very job are not run again. Returns the run gathered; progress sees the
     * samples finished so far.
     */
    static Drawn distributed(Runner runner, Job run, int shardSize, Store store, boolean resume, Backend backend, IntConsumer progress)
            throws IOException {
        TreeMap<Integer, Result> done = new TreeMap<>();
        List<Job> todo = new ArrayList<>();
        for (Job j : split(run, shardSize)) {
            Result kept = resume ? store.load(j) : null;
            if (kept != null) done.put(j.first(), kept);
            else todo.add(j);
        }
        int[] finished = {done.values().stream().mapToInt(r -> r.job().count()).sum()};
        progress.accept(finished[0]);
        IOException[] unsaved = {null};
        runner.run(todo, r -> {
            try {
                store.save(r);
            } catch (IOException e) {
                if (unsaved[0] == null) unsaved[0] = e;
            }
            done.put(r.job().first(), r);
            progress.accept(finished[0] += r.job().count());
        });
        if (unsaved[0] != null) throw unsaved[0];
        return gather(new ArrayList<>(done.values()), backend);
    }

    /**
     * Finished shards on disk: one file per shard under dir/&lt;set&gt;/, written to a temporary file and moved into place,
     * so a file is whole or absent. A file is used again only for the very job that wrote it.
     */
    static final class Store {
        private final Path dir;

        Store(Path dir) {
            this.dir = dir;
        }

        private Path file(Job job) {
            return dir.resolve(job.set()).resolve(job.first() + "-" + job.count() + ".shard");
        }

        void save(Result r) throws IOException {
            Path f = file(r.job());
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".shard", ".tmp");
            try (ObjectOutputStream out = new ObjectOutputStream(Files.newOutputStream(tmp))) {
                out.writeObject(r);
            }
            Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }

        /** The stored result of this job, or null: none, another job's (other settings, seed or task), or unreadable. */
        Result load(Job job) {
            Path f = file(job);
            if (!Files.isRegularFile(f)) return null;
            try (ObjectInputStream in = new ObjectInputStream(Files.newInputStream(f))) {
                return in.readObject() instanceof Result r && r.job().equals(job) ? r : null;
            } catch (IOException | ClassNotFoundException e) {
                return null;                                   // cut short, or written by another version: run it again
            }
        }
    }
}
