package dev.wanhybrid.engine.internal.text;

import java.text.Normalizer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Wan's prompt cleaning ({@code clean='whitespace'} in {@code wan/modules/tokenizers.py}): {@code ftfy.fix_text},
 * HTML unescaping twice, then whitespace runs collapsed to one space and the ends trimmed.
 *
 * <p>ftfy is Python-only; this applies the parts of its default {@code fix_text} that change well-formed
 * prompts: NFC normalisation, straight quotes for curly ones, Latin ligatures split, full-width ASCII forms and
 * the ideographic space made half-width (so Wan's Chinese negative prompt keeps ASCII commas, as upstream), and
 * control characters dropped. Mojibake repair (text decoded with the wrong codec) is not reproduced.
 */
public final class PromptCleaner {

    private static final Pattern WHITESPACE = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern ENTITY = Pattern.compile("&(#[0-9]+|#[xX][0-9a-fA-F]+|[a-zA-Z]+);");

    private PromptCleaner() {}

    public static String clean(String text) {
        String fixed = fixText(text);
        fixed = unescapeHtml(unescapeHtml(fixed)).strip();
        return WHITESPACE.matcher(fixed).replaceAll(" ").strip();
    }

    static String fixText(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(cp -> {
            switch (cp) {
                case 0x2018, 0x2019, 0x201A, 0x201B -> out.append('\'');
                case 0x201C, 0x201D, 0x201E, 0x201F -> out.append('"');
                case 0xFB00 -> out.append("ff");
                case 0xFB01 -> out.append("fi");
                case 0xFB02 -> out.append("fl");
                case 0xFB03 -> out.append("ffi");
                case 0xFB04 -> out.append("ffl");
                case 0xFB05, 0xFB06 -> out.append("st");
                case 0x3000 -> out.append(' ');
                default -> {
                    if (cp >= 0xFF01 && cp <= 0xFF5E) {
                        out.append((char) (cp - 0xFEE0));
                    } else if (Character.getType(cp) == Character.CONTROL && !Character.isWhitespace(cp)) {
                        // dropped, as ftfy's remove_control_chars does
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        });
        return Normalizer.normalize(out, Normalizer.Form.NFC);
    }

    static String unescapeHtml(String text) {
        if (text.indexOf('&') < 0) {
            return text;
        }
        Matcher m = ENTITY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String body = m.group(1);
            String replacement;
            if (body.startsWith("#x") || body.startsWith("#X")) {
                replacement = codePoint(Integer.parseInt(body.substring(2), 16), m.group());
            } else if (body.startsWith("#")) {
                replacement = codePoint(Integer.parseInt(body.substring(1)), m.group());
            } else {
                replacement = switch (body) {
                    case "amp" -> "&";
                    case "lt" -> "<";
                    case "gt" -> ">";
                    case "quot" -> "\"";
                    case "apos" -> "'";
                    case "nbsp" -> "\u00a0";
                    default -> m.group();
                };
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String codePoint(int cp, String original) {
        return Character.isValidCodePoint(cp) && cp != 0 ? new String(Character.toChars(cp)) : original;
    }
}
