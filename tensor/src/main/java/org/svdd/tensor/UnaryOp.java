package org.svdd.tensor;

/** Elementwise unary primitives. Each has its scalar definition here; backends must agree with it. */
public enum UnaryOp {
    NEG, EXP, LOG, SQRT, TANH, SIGMOID, RELU, SILU,
    /** GELU, tanh approximation: 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))). */
    GELU,
    ABS;

    static final double GELU_C = Math.sqrt(2.0 / Math.PI);

    /** The reference definition, in double. */
    public double apply(double x) {
        return switch (this) {
            case NEG -> -x;
            case EXP -> Math.exp(x);
            case LOG -> Math.log(x);
            case SQRT -> Math.sqrt(x);
            case TANH -> Math.tanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case RELU -> x > 0 ? x : 0.0;
            case SILU -> x / (1.0 + Math.exp(-x));
            case GELU -> 0.5 * x * (1.0 + Math.tanh(GELU_C * (x + 0.044715 * x * x * x)));
            case ABS -> Math.abs(x);
        };
    }

    /** d apply / dx, used by the backward of {@link Tensor#unary}. */
    public double derivative(double x) {
        return switch (this) {
            case NEG -> -1.0;
            case EXP -> Math.exp(x);
            case LOG -> 1.0 / x;
            case SQRT -> 0.5 / Math.sqrt(x);
            case TANH -> {
                double t = Math.tanh(x);
                yield 1.0 - t * t;
            }
            case SIGMOID -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 - s);
            }
            case RELU -> x > 0 ? 1.0 : 0.0;
            case SILU -> {
                double s = 1.0 / (1.0 + Math.exp(-x));
                yield s * (1.0 + x * (1.0 - s));
            }
            case GELU -> {
                double u = GELU_C * (x + 0.044715 * x * x * x);
                double t = Math.tanh(u);
                double du = GELU_C * (1.0 + 3 * 0.044715 * x * x);
                yield 0.5 * (1.0 + t) + 0.5 * x * (1.0 - t * t) * du;
            }
            case ABS -> Math.signum(x);
        };
    }
}
