package dev.wanhybrid.engine.internal.weights;

import org.bytedeco.pytorch.global.torch.ScalarType;

/** The safetensors element types the engine reads, with their libtorch counterpart. */
public enum DType {
    F64("F64", 8, ScalarType.Double),
    F32("F32", 4, ScalarType.Float),
    F16("F16", 2, ScalarType.Half),
    BF16("BF16", 2, ScalarType.BFloat16),
    I64("I64", 8, ScalarType.Long),
    I32("I32", 4, ScalarType.Int),
    I16("I16", 2, ScalarType.Short),
    I8("I8", 1, ScalarType.Char),
    U8("U8", 1, ScalarType.Byte),
    BOOL("BOOL", 1, ScalarType.Bool);

    private final String code;
    private final int bytes;
    private final ScalarType torchType;

    DType(String code, int bytes, ScalarType torchType) {
        this.code = code;
        this.bytes = bytes;
        this.torchType = torchType;
    }

    /** Parses a header's {@code dtype} string; an unknown one fails with its name. */
    public static DType fromSafetensors(String code) {
        for (DType type : values()) {
            if (type.code.equals(code)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unsupported safetensors dtype " + code);
    }

    /** Parses a user-facing name such as {@code bf16}, {@code float16} or {@code fp32}. */
    public static DType fromName(String name) {
        return switch (name.toLowerCase(java.util.Locale.ROOT)) {
            case "bf16", "bfloat16" -> BF16;
            case "fp16", "f16", "float16", "half" -> F16;
            case "fp32", "f32", "float32", "float" -> F32;
            case "fp64", "f64", "float64", "double" -> F64;
            default -> throw new IllegalArgumentException("unsupported dtype " + name + " (use bf16, fp16 or fp32)");
        };
    }

    public int bytes() {
        return bytes;
    }

    public ScalarType torchType() {
        return torchType;
    }
}
