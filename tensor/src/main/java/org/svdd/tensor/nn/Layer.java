package org.svdd.tensor.nn;

import org.svdd.tensor.Tensor;

/** A module with one input and one output, composable in a {@link Sequential}. */
public interface Layer {
    Tensor forward(Tensor x);
}
