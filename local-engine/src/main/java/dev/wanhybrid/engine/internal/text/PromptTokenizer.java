package dev.wanhybrid.engine.internal.text;

import ai.djl.huggingface.tokenizers.Encoding;
import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.wanhybrid.engine.internal.weights.WeightsException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The umT5 tokenizer ({@code tokenizer/tokenizer.json}) run through DJL's Hugging Face tokenizers binding, with
 * Wan's cleaning, EOS appended, truncation and padding to the text length, as {@code HuggingfaceTokenizer} in
 * {@code wan/modules/tokenizers.py} calls it.
 */
public final class PromptTokenizer implements TextTokenizer {

    private final HuggingFaceTokenizer tokenizer;
    private final int length;
    private boolean closed;

    private PromptTokenizer(HuggingFaceTokenizer tokenizer, int length) {
        this.tokenizer = tokenizer;
        this.length = length;
    }

    /** Opens {@code tokenizer.json}; {@code length} is the text length (512 for Wan). */
    public static PromptTokenizer open(Path tokenizerJson, int length) {
        if (!Files.isRegularFile(tokenizerJson)) {
            throw new WeightsException("tokenizer file " + tokenizerJson + " does not exist");
        }
        try {
            HuggingFaceTokenizer tokenizer = HuggingFaceTokenizer.newInstance(tokenizerJson, Map.of(
                    "addSpecialTokens", "true",
                    "padding", "max_length",
                    "maxLength", Integer.toString(length),
                    "truncation", "true"));
            return new PromptTokenizer(tokenizer, length);
        } catch (IOException | RuntimeException e) {
            throw new WeightsException("cannot load tokenizer " + tokenizerJson + ": " + e.getMessage(), e);
        }
    }

    @Override
    public int length() {
        return length;
    }

    /** Token ids and attention mask, each exactly {@link #length()} long. */
    @Override
    public Tokens encode(String prompt) {
        Encoding encoding = tokenizer.encode(PromptCleaner.clean(prompt));
        return new Tokens(encoding.getIds(), encoding.getAttentionMask());
    }

    /** Frees the native tokenizer; safe to call more than once. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            tokenizer.close();
        }
    }
}
