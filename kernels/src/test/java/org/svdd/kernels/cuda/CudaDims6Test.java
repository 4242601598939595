package org.svdd.kernels.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The host-side packing of elementwise views into the kernels' Dims6 structs; needs no GPU. */
class CudaDims6Test {
    @Test
    void contiguousViewsCollapseToOneDim() {
        int[][] g = CudaBackend.dims6("t", new int[]{2, 3, 4}, new int[]{12, 4, 1}, new int[]{12, 4, 1});
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 24}, g[0]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 1}, g[1]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 1}, g[2]);
    }

    @Test
    void transposedAndBroadcastDimsStaySeparate() {
        // a (3, 4) transposed view against a row broadcast (stride 0 along axis 0)
        int[][] g = CudaBackend.dims6("t", new int[]{3, 4}, new int[]{1, 3}, new int[]{0, 1});
        assertArrayEquals(new int[]{1, 1, 1, 1, 3, 4}, g[0]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 1, 3}, g[1]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 1}, g[2]);
    }

    @Test
    void sizeOneDimsAndScalarsAreDropped() {
        int[][] g = CudaBackend.dims6("t", new int[]{1, 5, 1}, new int[]{99, 2, 7});
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 5}, g[0]);
        assertArrayEquals(new int[]{0, 0, 0, 0, 0, 2}, g[1]);
        int[][] s = CudaBackend.dims6("t", new int[]{}, new int[]{});
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 1}, s[0]);
    }

    @Test
    void rankEightMergesWhenItCanAndFailsClearlyWhenItCannot() {
        int[] shape = {2, 2, 2, 2, 2, 2, 2, 2};
        int[] contiguous = {128, 64, 32, 16, 8, 4, 2, 1};
        assertArrayEquals(new int[]{1, 1, 1, 1, 1, 256}, CudaBackend.dims6("t", shape, contiguous)[0]);
        int[] everyOther = {256 * 128, 128 * 64, 64 * 32, 32 * 16, 16 * 8, 8 * 4, 4 * 2, 2};
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> CudaBackend.dims6("binary ADD", shape, everyOther));
        assertTrue(e.getMessage().contains("binary ADD") && e.getMessage().contains("at most 6"), e.getMessage());
    }
}
