package org.svdd.tensor.io;

import java.io.IOException;
import java.nio.file.Path;

/** A checkpoint that cannot be read or does not match what was expected; the message names the file and tensor. */
public final class CheckpointException extends IOException {
    public CheckpointException(Path file, String problem) {
        super(file + ": " + problem);
    }

    public CheckpointException(Path file, String tensor, String problem) {
        super(file + ": tensor '" + tensor + "': " + problem);
    }
}
