package dev.wanhybrid.engine;

import java.util.Locale;

/**
 * How a Wan engine is loaded and run.
 *
 * @param device {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param dtype weights and matmul precision: {@code fp32}, {@code bf16} or {@code fp16} (bf16 is the official
 *     GPU setting; CPU runs use fp32)
 * @param threads libtorch intra-op threads (process-wide; 0 keeps libtorch's default)
 * @param textLength tokens the prompt is padded to (512 in the official code)
 * @param shift flow-matching schedule shift (5.0, the official text-to-video default)
 * @param batchGuidance evaluate the conditional and unconditional predictions as one batch of two
 * @param modelId catalog id to report, or null to derive it from the checkpoint's size
 * @param offloadTextEncoder keep the text encoder's weights in CPU memory between prompts and move them to the
 *     device only to encode an uncached prompt (umT5-XXL is about 11 GB in bf16); off by default, because one
 *     H100/H200 holds the encoder beside the 1.3B and 5B models with room to spare and encoding then costs no
 *     copy; turn it on for the 14B models or cards under 48 GB. Prompt contexts are cached either way.
 */
public record EngineOptions(String device, String dtype, int threads, int textLength, double shift,
        boolean batchGuidance, String modelId, boolean offloadTextEncoder) {

    public EngineOptions {
        if (device == null || !(device.equals("cpu") || device.equals("cuda") || device.matches("cuda:\\d+"))) {
            throw new IllegalArgumentException("device must be cpu, cuda or cuda:N, was " + device);
        }
        if (dtype == null || !(dtype.equals("fp32") || dtype.equals("bf16") || dtype.equals("fp16"))) {
            throw new IllegalArgumentException("dtype must be fp32, bf16 or fp16, was " + dtype);
        }
        if (threads < 0) {
            throw new IllegalArgumentException("threads must be 0 (default) or positive, was " + threads);
        }
        if (textLength < 2) {
            throw new IllegalArgumentException("textLength must be at least 2, was " + textLength);
        }
        if (!(shift > 0) || Double.isInfinite(shift)) {
            throw new IllegalArgumentException("shift must be a positive number, was " + shift);
        }
        device = device.toLowerCase(Locale.ROOT);
    }

    /** CPU, float32, two threads, official sampling settings. */
    public static EngineOptions cpu() {
        return new EngineOptions("cpu", "fp32", 2, 512, 5.0, true, null, false);
    }

    /** First CUDA device, bfloat16 as the official code runs it. */
    public static EngineOptions cuda() {
        return new EngineOptions("cuda:0", "bf16", 0, 512, 5.0, true, null, false);
    }

    public EngineOptions withDevice(String value) {
        return new EngineOptions(value, dtype, threads, textLength, shift, batchGuidance, modelId, offloadTextEncoder);
    }

    public EngineOptions withDtype(String value) {
        return new EngineOptions(device, value, threads, textLength, shift, batchGuidance, modelId, offloadTextEncoder);
    }

    public EngineOptions withThreads(int value) {
        return new EngineOptions(device, dtype, value, textLength, shift, batchGuidance, modelId, offloadTextEncoder);
    }

    public EngineOptions withTextLength(int value) {
        return new EngineOptions(device, dtype, threads, value, shift, batchGuidance, modelId, offloadTextEncoder);
    }

    public EngineOptions withShift(double value) {
        return new EngineOptions(device, dtype, threads, textLength, value, batchGuidance, modelId, offloadTextEncoder);
    }

    public EngineOptions withBatchGuidance(boolean value) {
        return new EngineOptions(device, dtype, threads, textLength, shift, value, modelId, offloadTextEncoder);
    }

    public EngineOptions withModelId(String value) {
        return new EngineOptions(device, dtype, threads, textLength, shift, batchGuidance, value, offloadTextEncoder);
    }

    public EngineOptions withOffloadTextEncoder(boolean value) {
        return new EngineOptions(device, dtype, threads, textLength, shift, batchGuidance, modelId, value);
    }
}
