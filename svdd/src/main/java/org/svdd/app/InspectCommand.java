package org.svdd.app;

import org.svdd.tensor.Shape;
import org.svdd.tensor.io.Safetensors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** Lists a checkpoint's tensors (name, dtype, shape) and metadata without loading the data. */
@Command(name = "inspect", mixinStandardHelpOptions = true, description = "List a safetensors checkpoint's tensors and metadata.")
final class InspectCommand implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "A .safetensors file.")
    Path file;

    @Override
    public Integer call() throws Exception {
        Safetensors.Header h = Safetensors.readHeader(file);
        long params = 0;
        for (Safetensors.Entry e : h.entries()) {
            System.out.printf("%-50s %-4s %s%n", e.name(), e.dtype(), Shape.str(e.shape()));
            params += Shape.numel(e.shape());
        }
        System.out.printf("%d tensors, %,d values%n", h.entries().size(), params);
        h.metadata().forEach((k, v) -> System.out.printf("meta %s = %s%n", k, v));
        return 0;
    }
}
