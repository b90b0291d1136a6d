package io.cxrpipeline.common;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.cfg.CoercionAction;
import com.fasterxml.jackson.databind.cfg.CoercionInputShape;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.PropertyBindingException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.LogicalType;

/**
 * Request bodies as JSON, strictly: one JSON object and nothing after it, no repeated field, bounded nesting
 * and number length. Every failure becomes an {@link InvalidInputException} that names the field and the rule
 * in the API's words, never a Java class, a Jackson feature or a parser internal.
 */
public final class JsonBodies {

    /** Deepest nesting of a request body; the deepest the API defines is 3 levels. */
    public static final int MAX_DEPTH = 32;
    /** Longest number literal, in characters. */
    public static final int MAX_NUMBER_LENGTH = 100;

    private static final StreamReadConstraints CONSTRAINTS = StreamReadConstraints.builder()
            .maxNestingDepth(MAX_DEPTH).maxNumberLength(MAX_NUMBER_LENGTH).build();

    private static final ObjectMapper TREES = strict(JsonMapper.builder(JsonFactory.builder()
            .streamReadConstraints(CONSTRAINTS).enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build())
            .build());

    private static final Pattern LIMIT = Pattern.compile("\\((\\d+)\\) exceeds the maximum allowed \\((\\d+)");

    private JsonBodies() {
    }

    /**
     * The mapper made strict for request bodies: the constraints above, duplicate detection, and no coercion
     * of strings or floats into numbers and booleans ({@code "limit":"5"}, {@code "limit":2.5} and
     * {@code "force":1} are 400s, not 5, 2 and true). Changes and returns the mapper given.
     */
    public static ObjectMapper strict(ObjectMapper mapper) {
        mapper.getFactory().setStreamReadConstraints(CONSTRAINTS);
        mapper.getFactory().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.coercionConfigFor(LogicalType.Boolean).setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Integer).setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                .setCoercion(CoercionInputShape.Float, CoercionAction.Fail);
        mapper.coercionConfigFor(LogicalType.Float).setCoercion(CoercionInputShape.String, CoercionAction.Fail);
        return mapper;
    }

    /** The body as a JSON object; an empty or blank body is {@code {}}. */
    public static ObjectNode object(byte[] body) {
        JsonNode node = read(TREES.readerFor(JsonNode.class), body);
        if (!node.isObject()) {
            throw new InvalidInputException("body", "the body must be a JSON object, got " + kind(node));
        }
        return (ObjectNode) node;
    }

    /**
     * Reads one JSON document with the reader (of a strict mapper, see {@link #strict(ObjectMapper)}) and
     * refuses anything after it; an empty or blank body reads as {@code {}}.
     *
     * @throws InvalidInputException naming the field and the rule
     */
    public static <T> T read(ObjectReader reader, byte[] body) {
        byte[] text = isBlank(body) ? "{}".getBytes(StandardCharsets.UTF_8) : body;
        try (JsonParser parser = reader.createParser(text)) {
            T value;
            try {
                value = reader.readValue(parser);
            } catch (JsonProcessingException e) {
                throw invalid(e, parser);
            }
            if (value == null) {
                throw new InvalidInputException("body", "the body must be a JSON object, got null");
            }
            try {
                if (parser.nextToken() == null) {
                    return value;
                }
            } catch (JsonProcessingException e) {
                // garbage after the document: the same answer as a second document
            }
            throw new InvalidInputException("body", "the body holds more after the JSON document ends (at line "
                    + parser.currentLocation().getLineNr() + ", column " + parser.currentLocation().getColumnNr()
                    + "); send exactly one JSON object");
        } catch (IOException e) {
            throw new InvalidInputException("body", "the body cannot be read as JSON");
        }
    }

    /** The 400 for a body Jackson could not read: the field at fault and the rule, in the API's words. */
    public static InvalidInputException invalid(JsonProcessingException e) {
        return invalid(e, null);
    }

    /** As {@link #invalid(JsonProcessingException)}, with the parser that failed (it knows where it stopped). */
    private static InvalidInputException invalid(JsonProcessingException e, JsonParser parser) {
        if (e instanceof JsonMappingException m && m.getCause() instanceof InvalidInputException domain) {
            return domain; // a record's own validation, thrown from its constructor
        }
        String field = field(e);
        if (field.equals("body") && parser != null && !(e instanceof JsonMappingException)) {
            String at = path(parser.getParsingContext());
            field = at.isEmpty() ? "body" : at.startsWith(".") ? at.substring(1) : at;
        }
        if (e instanceof JsonMappingException m && m.getCause() instanceof JsonProcessingException cause
                && !(cause instanceof JsonMappingException)) {
            // A parse failure met while binding: the parser's path when it knows one, the parser's reason.
            String inner0 = field(cause);
            if (!inner0.equals("body")) {
                field = inner0;
            }
            InvalidInputException inner = invalid(cause);
            return new InvalidInputException(field, inner.getMessage().replace("the body breaks", field + " breaks"));
        }
        String where = field.equals("body") ? "the body" : field;
        if (e instanceof PropertyBindingException p) {
            String name = p.getPropertyName();
            String path = field.isEmpty() || field.equals("body") ? name : field;
            return new InvalidInputException(path, "unknown field " + Echo.quote(name) + known(p.getKnownPropertyIds()));
        }
        if (e instanceof StreamConstraintsException c) {
            return new InvalidInputException(field, where + " breaks a limit: " + limit(c));
        }
        if (e instanceof InputCoercionException c) {
            return new InvalidInputException(field, where + " must be " + expected(c.getTargetType())
                    + " within its range; the number given is too large");
        }
        if (e instanceof MismatchedInputException m) {
            if (field.equals("body")) {
                return new InvalidInputException("body", "the body must be a JSON object");
            }
            return new InvalidInputException(field, field + " must be " + expected(m.getTargetType()));
        }
        if (e instanceof JsonEOFException) {
            return new InvalidInputException(field, "the body ends inside the JSON document (an object, array or "
                    + "string is not closed)");
        }
        if (e instanceof StreamReadException r) {
            String message = clean(r.getOriginalMessage());
            String at = r.getLocation() == null ? "" : " at line " + r.getLocation().getLineNr() + ", column "
                    + r.getLocation().getColumnNr();
            return new InvalidInputException(field, "the body is not valid JSON" + at
                    + (message.isEmpty() ? "" : ": " + message));
        }
        return new InvalidInputException(field, where + " cannot be read");
    }

    /** The JSON path of the failure, dotted ({@code images[2].s3Uri}); {@code body} for the document itself. */
    static String field(JsonProcessingException e) {
        String path = "";
        if (e instanceof JsonMappingException m) {
            path = m.getPath().stream()
                    .map(r -> r.getFieldName() != null ? "." + r.getFieldName() : "[" + r.getIndex() + "]")
                    .collect(Collectors.joining());
        } else if (e instanceof StreamReadException r && r.getProcessor() != null) {
            path = path(r.getProcessor().getParsingContext());
        }
        if (path.startsWith(".")) {
            path = path.substring(1);
        }
        return path.isEmpty() ? "body" : path;
    }

    private static String path(JsonStreamContext context) {
        StringBuilder b = new StringBuilder();
        for (JsonStreamContext c = context; c != null && !c.inRoot(); c = c.getParent()) {
            String part;
            if (c.inObject()) {
                part = c.getCurrentName() == null ? "" : "." + c.getCurrentName();
            } else {
                part = "[" + Math.max(0, c.getCurrentIndex()) + "]";
            }
            b.insert(0, part);
        }
        // Bounded: a path through 32 levels of hostile names is not echoed whole.
        return b.length() > 200 ? b.substring(0, 200) + "…" : b.toString();
    }

    private static String known(Collection<Object> ids) {
        if (ids == null || ids.isEmpty()) {
            return "; no fields are defined here";
        }
        TreeSet<String> names = new TreeSet<>();
        ids.forEach(id -> names.add(String.valueOf(id)));
        return "; known fields: " + String.join(", ", names);
    }

    private static String limit(StreamConstraintsException c) {
        String m = c.getOriginalMessage() == null ? "" : c.getOriginalMessage();
        Matcher x = LIMIT.matcher(m);
        String max = x.find() ? x.group(2) : null;
        if (m.contains("nesting depth")) {
            return "it nests deeper than " + (max == null ? MAX_DEPTH : max) + " levels";
        }
        if (m.contains("Number value length") || m.contains("Number length")) {
            return "a number is longer than " + (max == null ? MAX_NUMBER_LENGTH : max) + " characters";
        }
        if (m.contains("String value length") || m.contains("String length")) {
            return "a string is longer than " + (max == null ? "allowed" : max + " characters");
        }
        if (m.contains("Name length") || m.contains("name length")) {
            return "a field name is longer than " + (max == null ? "allowed" : max + " characters");
        }
        if (m.contains("Document length") || m.contains("document length")) {
            return "the document is longer than " + (max == null ? "allowed" : max + " bytes");
        }
        return "it is too large to read";
    }

    /** What a Java target type is, in JSON's words. */
    static String expected(Class<?> type) {
        if (type == null) {
            return "a valid value";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == Integer.class || type == int.class || type == Long.class || type == long.class
                || type == Short.class || type == short.class || type == BigInteger.class) {
            return "a whole number";
        }
        if (Number.class.isAssignableFrom(type) || type == double.class || type == float.class
                || type == BigDecimal.class) {
            return "a number";
        }
        if (CharSequence.class.isAssignableFrom(type) || type == char.class || type == Character.class) {
            return "a string";
        }
        if (type.isEnum()) {
            return "one of " + List.of(type.getEnumConstants()).stream().map(String::valueOf)
                    .collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) {
            return "an array";
        }
        if (JsonNode.class.isAssignableFrom(type)) {
            return "a JSON value";
        }
        return Map.class.isAssignableFrom(type) || !type.isPrimitive() ? "an object" : "a valid value";
    }

    /** A parser message without Java or Jackson names: the first clause, no source excerpts or feature hints. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        String m = message;
        for (String cut : List.of("\n", " at [Source", " (for ", " (start marker", ": enable ", "; enable ",
                " (through reference chain")) {
            int i = m.indexOf(cut);
            if (i >= 0) {
                m = m.substring(0, i);
            }
        }
        int tick = m.indexOf('`');
        if (tick >= 0) {
            m = m.substring(0, tick);
        }
        m = m.strip();
        while (m.endsWith(":") || m.endsWith(",") || m.endsWith(";")) {
            m = m.substring(0, m.length() - 1).strip();
        }
        if (m.matches("(?s).*(java\\.|jackson|com\\.|io\\.cxrpipeline|\\$).*")) {
            return "";
        }
        return m.length() > 160 ? m.substring(0, 157) + "..." : m;
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            default -> "another value";
        };
    }

    private static boolean isBlank(byte[] body) {
        for (byte b : body) {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n') {
                return false;
            }
        }
        return true;
    }
}
