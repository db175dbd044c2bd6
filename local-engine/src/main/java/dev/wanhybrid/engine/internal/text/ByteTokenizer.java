package dev.wanhybrid.engine.internal.text;

import java.nio.charset.StandardCharsets;

/**
 * The demo model's tokenizer: the cleaned prompt's UTF-8 bytes folded into a small vocabulary, then EOS (1)
 * and padding (0), as the umT5 layout expects. Needs no files, so the demo runs anywhere.
 */
public final class ByteTokenizer implements TextTokenizer {

    private static final int FIRST_ID = 3;

    private final int vocab;
    private final int length;

    public ByteTokenizer(int vocab, int length) {
        if (vocab <= FIRST_ID || length < 1) {
            throw new IllegalArgumentException("vocab must exceed 3 and length be positive");
        }
        this.vocab = vocab;
        this.length = length;
    }

    @Override
    public int length() {
        return length;
    }

    @Override
    public Tokens encode(String prompt) {
        byte[] bytes = PromptCleaner.clean(prompt).getBytes(StandardCharsets.UTF_8);
        int real = Math.min(bytes.length, length - 1);
        long[] ids = new long[length];
        long[] mask = new long[length];
        for (int i = 0; i < real; i++) {
            ids[i] = FIRST_ID + (bytes[i] & 0xFF) % (vocab - FIRST_ID);
            mask[i] = 1;
        }
        ids[real] = 1;
        mask[real] = 1;
        return new Tokens(ids, mask);
    }
}
