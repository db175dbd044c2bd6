package dev.wanhybrid.engine.internal.text;

/** Turns a prompt into padded token ids and an attention mask of a fixed length. */
public interface TextTokenizer extends AutoCloseable {

    /** The padded length (the text length the transformer attends over). */
    int length();

    Tokens encode(String prompt);

    @Override
    default void close() {}

    /**
     * A tokenized prompt.
     *
     * @param ids token ids, padded with 0
     * @param mask 1 on real tokens (including EOS), 0 on padding
     */
    record Tokens(long[] ids, long[] mask) {

        public int realLength() {
            int n = 0;
            for (long m : mask) {
                n += m > 0 ? 1 : 0;
            }
            return n;
        }
    }
}
