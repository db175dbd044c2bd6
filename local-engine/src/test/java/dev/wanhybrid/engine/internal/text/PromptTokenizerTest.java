package dev.wanhybrid.engine.internal.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URISyntaxException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PromptTokenizerTest {

    // Word-level vocabulary of the test tokenizer: <pad>=0 </s>=1 <unk>=2 a=3 cat=4 walks=5 on=6 the=7 grass=8
    // ","=9 "\""=10 hi=11 "&"=12 fi=13 x=14.

    @Test
    void cleaningCollapsesWhitespaceUnescapesHtmlAndStraightensFtfyStyle() {
        assertThat(PromptCleaner.clean("  a \t cat\n\nwalks  ")).isEqualTo("a cat walks");
        assertThat(PromptCleaner.clean("a &amp;amp; b")).isEqualTo("a & b");
        assertThat(PromptCleaner.clean("\u201chi\u201d \uFB01")).isEqualTo("\"hi\" fi");
        assertThat(PromptCleaner.clean("色调艳丽，过曝\u3000静态")).isEqualTo("色调艳丽,过曝 静态");
    }

    @Test
    void encodesWithEosAndPadsToTheTextLength() throws URISyntaxException {
        try (PromptTokenizer tokenizer = PromptTokenizer.open(tokenizerJson(), 8)) {
            TextTokenizer.Tokens tokens = tokenizer.encode("  a cat \n walks on the grass ");
            assertThat(tokens.ids()).containsExactly(3, 4, 5, 6, 7, 8, 1, 0);
            assertThat(tokens.mask()).containsExactly(1, 1, 1, 1, 1, 1, 1, 0);
            assertThat(tokens.realLength()).isEqualTo(7);
        }
    }

    @Test
    void truncatesLongPromptsKeepingTheEos() throws URISyntaxException {
        try (PromptTokenizer tokenizer = PromptTokenizer.open(tokenizerJson(), 4)) {
            TextTokenizer.Tokens tokens = tokenizer.encode("a cat walks on the grass");
            assertThat(tokens.ids()).containsExactly(3, 4, 5, 1);
            assertThat(tokens.mask()).containsExactly(1, 1, 1, 1);
        }
    }

    private static Path tokenizerJson() throws URISyntaxException {
        return Path.of(PromptTokenizerTest.class.getResource("/tokenizer-tiny/tokenizer.json").toURI());
    }
}
