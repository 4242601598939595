package org.svdd.tensor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link Grad#gradient}: the input gradient that guidance needs, with parameters left alone. */
class GradientTest {
    @Test
    void gradientWithRespectToTheInputLeavesParametersUntouched() {
        Tensor w = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);      // a "parameter"
        Tensor x = Tensor.of(new float[]{0.5f, -1, 2}, 1, 3).requiresGrad(true);
        Tensor g = Grad.gradient(x.matmul(w).square().sum(), x);
        // d/dx sum((x w)^2) = 2 (x w) w^T; x w = [-0.5 + 1.0 ... ] computed in double below
        double y0 = 0.5 * 1 - 1 * 3 + 2 * 5, y1 = 0.5 * 2 - 1 * 4 + 2 * 6;
        double[] expected = {2 * (y0 * 1 + y1 * 2), 2 * (y0 * 3 + y1 * 4), 2 * (y0 * 5 + y1 * 6)};
        assertArrayEquals(expected, g.toDoubleArray(), 1e-4);
        assertNull(w.grad(), "the parameter's grad is not touched");
        assertNull(x.grad(), "nor the input's own grad field");
        // a root that does not depend on x gives zeros
        assertArrayEquals(new double[3], Grad.gradient(w.sum(), x).toDoubleArray());
        assertThrows(IllegalArgumentException.class, () -> Grad.gradient(x.mul(2), x));
    }
}
