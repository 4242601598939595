package org.svdd.tensor;

/** Elementwise binary primitives on operands of equal shape (broadcasting is done with stride-0 views before). */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, POW, MAX, MIN,
    /** Comparisons give 1 or 0 in the operands' dtype. */
    EQ, NE, LT, LE, GT, GE;

    public double apply(double a, double b) {
        return switch (this) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case EQ -> a == b ? 1 : 0;
            case NE -> a != b ? 1 : 0;
            case LT -> a < b ? 1 : 0;
            case LE -> a <= b ? 1 : 0;
            case GT -> a > b ? 1 : 0;
            case GE -> a >= b ? 1 : 0;
        };
    }

    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }
}
