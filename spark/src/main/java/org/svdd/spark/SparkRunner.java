package org.svdd.spark;

import org.apache.spark.SparkConf;
import org.apache.spark.SparkFiles;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.svdd.app.Shards;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shards on Apache Spark. Each shard is one single-task Spark job, all submitted at once (Spark runs them as its cores
 * free up), so a shard that fails every attempt stops only its own job and the driver keeps every other shard's
 * result as it arrives. The task's files (checkpoint, value net) are shipped with {@code addFile}; an executor
 * thread opens the task once and keeps it for the shards it runs ({@link Shards#run}).
 *
 * <p>A failed task is run again by Spark up to {@code retries} times: {@code spark.task.maxFailures} = retries + 1,
 * and a {@code local[N]} master, which would not retry, becomes {@code local[N, retries + 1]}. The executors' JVMs get
 * the options the Vector API needs ({@link #EXECUTOR_OPTIONS}), added to any the user set.
 */
public final class SparkRunner implements Shards.Runner {
    /** What an executor JVM needs to run the kernels: the Vector API module, and native access without warnings. */
    static final String EXECUTOR_OPTIONS = "--add-modules=jdk.incubator.vector --enable-native-access=ALL-UNNAMED";
    private static final Pattern LOCAL = Pattern.compile("local(\\[([^,\\]]+)])?");

    private final JavaSparkContext sc;
    private final int attempts;

    /** Registered in META-INF/services: what --spark opens. */
    public static final class Provider implements Shards.Provider {
        @Override
        public Shards.Runner open(String master, Shards.TaskSpec task, int retries, PrintStream log) {
            return new SparkRunner(master, task, retries, log);
        }
    }

    SparkRunner(String master, Shards.TaskSpec task, int retries, PrintStream log) {
        this.attempts = retries + 1;
        SparkConf conf = new SparkConf().setAppName("svdd").setIfMissing("spark.ui.enabled", "false");
        if (master != null) conf.setMaster(withRetries(master, attempts));
        if (!conf.contains("spark.master")) throw new IllegalArgumentException("no Spark master: pass --spark MASTER, or run under spark-submit --master");
        conf.set("spark.task.maxFailures", Integer.toString(attempts));
        String extra = conf.get("spark.executor.extraJavaOptions", "");
        if (!extra.contains("jdk.incubator.vector")) conf.set("spark.executor.extraJavaOptions", (extra + " " + EXECUTOR_OPTIONS).trim());
        long t0 = System.nanoTime();
        sc = new JavaSparkContext(conf);
        sc.setLogLevel("WARN");
        for (Path f : task.files()) sc.addFile(f.toAbsolutePath().toString());
        log.printf("Spark %s, master %s: ready in %.1f s, %d shards at a time%n", sc.version(), sc.master(), (System.nanoTime() - t0) / 1e9,
                sc.defaultParallelism());
    }

    /** local and local[N] become local[N, attempts], which retries; other masters take spark.task.maxFailures. */
    static String withRetries(String master, int attempts) {
        Matcher m = LOCAL.matcher(master.trim());
        if (!m.matches()) return master;
        return "local[" + (m.group(2) == null ? "1" : m.group(2)) + "," + attempts + "]";
    }

    /** The Spark function of a shard: {@link Shards#run}, shipped files found by {@link SparkFiles#get}. */
    static final class DrawShard implements Function<Shards.Job, Shards.Result> {
        @Override
        public Shards.Result call(Shards.Job job) throws IOException {
            return Shards.run(job, name -> Path.of(SparkFiles.get(name)));
        }
    }

    /** One shard's outcome on the driver: its result, or why it failed. */
    private record Outcome(Shards.Job job, Shards.Result result, Throwable failure) {
    }

    @Override
    public void run(List<Shards.Job> jobs, Consumer<Shards.Result> done) throws IOException {
        BlockingQueue<Outcome> finished = new LinkedBlockingQueue<>();
        for (Shards.Job job : jobs) {
            sc.setLocalProperty("spark.job.description", "svdd " + job.name());
            JavaFutureAction<List<Shards.Result>> f = sc.parallelize(List.of(job), 1).map(new DrawShard()).collectAsync();
            Thread.ofVirtual().start(() -> {
                Outcome o;
                try {
                    o = new Outcome(job, f.get().getFirst(), null);
                } catch (ExecutionException e) {
                    o = new Outcome(job, null, e.getCause());
                } catch (InterruptedException e) {
                    f.cancel(true);
                    o = new Outcome(job, null, e);
                }
                finished.add(o);
            });
        }
        List<String> failures = new ArrayList<>();
        try {
            for (int i = 0; i < jobs.size(); i++) {
                Outcome o = finished.take();
                if (o.failure() == null) done.accept(o.result());
                else failures.add("shard " + o.job().name() + " failed " + attempts + (attempts == 1 ? " time" : " times") + ": " + reason(o.failure()));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for shards", e);
        }
        if (!failures.isEmpty()) throw new IOException(String.join("\n", failures));
    }

    /** The last task failure's own message, without Spark's stage report around it. */
    static String reason(Throwable t) {
        String m = String.valueOf(t.getMessage());
        int at = m.indexOf("most recent failure: ");
        if (at >= 0) {
            m = m.substring(at + "most recent failure: ".length());
            int colon = m.indexOf("): ");                     // "Lost task 0.3 in stage 7.0 (TID 12) (host executor driver): <cause>"
            if (colon >= 0) m = m.substring(colon + 3);
            int trace = m.indexOf("\n\tat ");
            if (trace >= 0) m = m.substring(0, trace);
        }
        return m.strip();
    }

    @Override
    public int parallelism() {
        return sc.defaultParallelism();
    }

    @Override
    public void close() {
        sc.stop();
    }
}
