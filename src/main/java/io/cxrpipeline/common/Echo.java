package io.cxrpipeline.common;

/** Client input quoted back in a message, bounded: a 5 KB name is not echoed whole. */
public final class Echo {

    /** The longest value quoted whole. */
    public static final int MAX_CHARS = 64;

    private Echo() {
    }

    /** {@code 'value'}, or its first characters and its length when it is longer than {@link #MAX_CHARS}. */
    public static String quote(String value) {
        if (value == null) {
            return "null";
        }
        StringBuilder b = new StringBuilder(MAX_CHARS + 32).append('\'');
        int end = Math.min(value.length(), MAX_CHARS);
        if (end < value.length() && Character.isHighSurrogate(value.charAt(end - 1))) {
            end--;
        }
        for (int i = 0; i < end; i++) {
            char c = value.charAt(i);
            // Control characters would garble a log line or a terminal: shown as escapes.
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        b.append('\'');
        if (end < value.length()) {
            b.append("… (").append(value.length()).append(" characters)");
        }
        return b.toString();
    }
}
