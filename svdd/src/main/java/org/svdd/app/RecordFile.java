package org.svdd.app;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A text file of records (FASTA, SMILES lines) written as they are made, whole records at a time: each append is
 * written and forced to disk in one go, and an append that fails (a full disk) is cut back to the last complete
 * record, so that a reader never takes a truncated last record for a shorter valid one.
 */
final class RecordFile implements AutoCloseable {
    private final Path file;
    private final FileChannel channel;
    private long complete;
    private int records;

    /** Creates the file, replacing an earlier one. */
    RecordFile(Path file) throws IOException {
        this.file = file;
        this.channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING);
    }

    /** Appends count whole records, given as their text; on failure the file ends with the records before them. */
    void append(String text, int count) throws IOException {
        ByteBuffer bytes = ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8));
        try {
            while (bytes.hasRemaining()) channel.write(bytes);
            channel.force(false);
        } catch (IOException e) {
            channel.truncate(complete);
            throw new IOException("writing " + file + " failed after " + records + " complete records, which it keeps (" + e.getMessage() + ")", e);
        }
        complete = channel.position();
        records += count;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
