package org.svdd.app;

import picocli.CommandLine.Option;

/** The options of an {@code exec:} or {@code worker:} reward program, shared by every command that can score with one. */
final class ExecOptionsMixin {
    @Option(names = "--exec-timeout", defaultValue = "60", description = "exec: and worker: rewards, seconds per call (a worker's first call includes its start-up). Default: ${DEFAULT-VALUE}")
    double execTimeout;

    @Option(names = "--exec-batch", defaultValue = "64", description = "exec: and worker: rewards, samples per call. Default: ${DEFAULT-VALUE}")
    int execBatch;

    @Option(names = "--exec-penalty", description = "exec: and worker: rewards, score for samples whose call failed (crash, hang, bad output); default: stop with the error.")
    Double execPenalty;

    /** The checked settings; a bad value is a usage error naming the option. */
    Task.ExecOptions exec() {
        Usage.require(execTimeout > 0, "--exec-timeout must be > 0, got " + execTimeout);
        Usage.atLeast(execBatch, 1, "--exec-batch");
        Usage.require(execPenalty == null || Double.isFinite(execPenalty), "--exec-penalty must be a finite number, got " + execPenalty);
        return new Task.ExecOptions(execBatch, Math.round(execTimeout * 1000), execPenalty);
    }
}
