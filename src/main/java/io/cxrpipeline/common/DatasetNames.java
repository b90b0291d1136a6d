package io.cxrpipeline.common;

import java.util.regex.Pattern;

/**
 * The one rule for dataset names, the same on every route that takes one (distribution, splits, reindex,
 * training runs) and for the keys ingest indexes: 1 to {@value #MAX_LENGTH} characters without {@code /},
 * {@code #} (it separates the parts of the table's keys) or control characters, and not {@code .} or
 * {@code ..} (a URL path cannot carry them as a segment).
 */
public final class DatasetNames {

    /** The longest dataset name, in characters. */
    public static final int MAX_LENGTH = 200;

    /** The rule, as messages state it. */
    public static final String RULE = "a dataset name is 1 to " + MAX_LENGTH
            + " characters without '/', '#' or control characters, and not '.' or '..'";

    private static final Pattern NAME = Pattern.compile("[^#/\\p{Cntrl}]{1," + MAX_LENGTH + "}");

    private DatasetNames() {
    }

    /**
     * Whether a value can be one component of the table's keys: 1 to {@value #MAX_LENGTH} characters without '/',
     * '#' or control characters. Dataset names keep it (and more); split and run ids must keep it too.
     */
    public static boolean isKeyComponent(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    /** Why the name breaks the rule, or null when it keeps it. */
    public static String whyInvalid(String name) {
        if (name == null || name.isEmpty()) {
            return "is empty";
        }
        if (name.length() > MAX_LENGTH) {
            return "is " + name.length() + " characters long, over " + MAX_LENGTH;
        }
        if (name.indexOf('/') >= 0) {
            return "contains '/'";
        }
        if (name.indexOf('#') >= 0) {
            return "contains '#'";
        }
        if (!NAME.matcher(name).matches()) {
            return "contains a control character";
        }
        if (name.equals(".") || name.equals("..")) {
            return "is a dot segment";
        }
        if (name.isBlank()) {
            return "is blank";
        }
        return null;
    }

    /**
     * The name, when it keeps the rule.
     *
     * @param field the request field that carries it ({@code dataset})
     * @throws InvalidInputException naming the field, the rule and (bounded) the value
     */
    public static String check(String field, String name) {
        String why = whyInvalid(name);
        if (why != null) {
            throw new InvalidInputException(field, field + " " + Echo.quote(name) + " " + why + "; " + RULE);
        }
        return name;
    }
}
