package org.svdd.app;

import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** --spark and its options, shared by compare and sample: where a run's shards are drawn when not in this JVM. */
final class SparkOptions {
    @Option(names = "--spark", paramLabel = "MASTER", arity = "0..1", fallbackValue = "", description = "Draw the samples on Apache Spark, shard by "
            + "shard: local[N] in this JVM, or a master URL (spark://host:port, yarn, k8s://...); bare --spark under spark-submit takes its --master. "
            + "Each shard is drawn (and scored) on an executor and written to <out>/shards/ as it finishes. smc, fk-steering and nested-is run one "
            + "population per shard.")
    String spark;

    @Option(names = "--shard-size", description = "Samples per shard with --spark. Default: compare n / (2 x the cluster's parallelism), sample --batch.")
    Integer shardSize;

    @Option(names = "--shard-retries", defaultValue = "3", description = "With --spark, times a failed shard is run again before the run fails. Default: ${DEFAULT-VALUE}")
    int shardRetries;

    @Option(names = "--resume", description = "With --spark: keep the shards an earlier run of the same command left in <out>/shards/ and run only the rest.")
    boolean resume;

    boolean on() {
        return spark != null;
    }

    /** Checks the options before anything loads. */
    void check() {
        if (shardSize != null) Usage.atLeast(shardSize, 1, "--shard-size");
        Usage.atLeast(shardRetries, 0, "--shard-retries");
        Usage.require(spark != null || shardSize == null && !resume, "--shard-size and --resume go with --spark");
    }

    /** The runner of --spark for a task; null without --spark. */
    Shards.Runner open(Shards.TaskSpec task) throws IOException {
        return spark == null ? null : Shards.runner(spark.isEmpty() ? null : spark, task, shardRetries, System.out);
    }

    /**
     * Takes the --out folder ({@link Usage#claimOutputFolder}) of a command that writes {@code outputs}: --resume keeps
     * the finished shards of an earlier run and writes into the folder; --force alone removes them with the outputs.
     */
    void claim(Path out, boolean force, List<String> outputs) {
        Usage.claimOutputFolder(out, "--out", force || resume, resume ? outputs : Stream.concat(outputs.stream(), Stream.of("shards")).toList());
    }

    /** --shard-size, or the given default. */
    int shardSize(int otherwise) {
        return shardSize != null ? shardSize : Math.max(1, otherwise);
    }
}
