package io.cxrpipeline.splits;

import java.math.BigDecimal;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

import io.cxrpipeline.common.Echo;
import io.cxrpipeline.common.InvalidInputException;
import io.cxrpipeline.common.JsonBodies;

/**
 * Reads the body of {@code POST /datasets/{dataset}/splits} into {@link SplitParameters}, strictly: unknown or
 * repeated fields, wrong types and out-of-range values are 400s that name the field.
 *
 * <pre>
 * {"ratios": {"train": 0.6, "val": 0.2, "test": 0.2}, "seed": 42, "stratify": "class" | "class+subtype",
 *  "groupByPatient": true, "groupByContent": true,
 *  "balance": "oversample" | "undersample" | "class-weights" | "none",
 *  "evalBalance": "none" | "oversample" | "undersample",
 *  "target": "majority" | "minority" | "mean" | 1500,
 *  "views": ["PA", "AP"], "excludePhi": true}
 * </pre>
 * Every field is optional; an empty body asks for the defaults.
 */
public final class SplitRequestParser {

    /** Tolerance of the ratios' sum. */
    public static final double RATIO_TOLERANCE = 1e-6;

    private static final List<String> FIELD_ORDER = List.of("ratios", "seed", "stratify", "groupByPatient",
            "groupByContent", "balance", "evalBalance", "target", "views", "excludePhi");
    private static final Set<String> FIELDS = Set.copyOf(FIELD_ORDER);
    /** Views a filter may name at most. */
    public static final int MAX_VIEWS = 16;
    private static final java.util.regex.Pattern VIEW = java.util.regex.Pattern.compile("[A-Za-z0-9 _]{1,16}");

    private final long defaultSeed;
    private final long maxTarget;

    public SplitRequestParser(long defaultSeed, long maxTarget) {
        this.defaultSeed = defaultSeed;
        this.maxTarget = maxTarget;
    }

    public SplitParameters parse(byte[] body) {
        JsonNode root = JsonBodies.object(body);
        for (Iterator<String> it = root.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!FIELDS.contains(name)) {
                throw new InvalidInputException(name, "unknown field " + Echo.quote(name) + "; known fields: "
                        + String.join(", ", FIELD_ORDER));
            }
        }
        SplitParameters d = SplitParameters.defaults(defaultSeed);
        double[] ratios = ratios(root.get("ratios"), d);
        long seed = seed(root.get("seed"));
        SplitParameters.Stratify stratify = d.stratify();
        JsonNode s = present(root.get("stratify"));
        if (s != null) {
            stratify = s.isTextual() ? SplitParameters.Stratify.of(s.asText()) : null;
            if (stratify == null) {
                throw new InvalidInputException("stratify", "unknown stratify " + describe(s)
                        + "; one of class, class+subtype");
            }
        }
        boolean byPatient = bool(root, "groupByPatient", d.groupByPatient());
        boolean byContent = bool(root, "groupByContent", d.groupByContent());
        SplitParameters.Balance train = balance(root.get("balance"), "balance", d.trainBalance(),
                List.of(SplitParameters.Balance.OVERSAMPLE, SplitParameters.Balance.UNDERSAMPLE,
                        SplitParameters.Balance.CLASS_WEIGHTS, SplitParameters.Balance.NONE));
        SplitParameters.Balance eval = balance(root.get("evalBalance"), "evalBalance", d.evalBalance(),
                List.of(SplitParameters.Balance.NONE, SplitParameters.Balance.OVERSAMPLE,
                        SplitParameters.Balance.UNDERSAMPLE));
        SplitParameters.Target target = target(root.get("target"));
        List<String> views = views(root.get("views"));
        boolean excludePhi = bool(root, "excludePhi", false);
        return new SplitParameters(ratios[0], ratios[1], ratios[2], seed, stratify, byPatient, byContent, train, eval,
                target, views, excludePhi);
    }

    private static List<String> views(JsonNode node) {
        JsonNode n = present(node);
        if (n == null) {
            return List.of();
        }
        if (!n.isArray() || n.isEmpty() || n.size() > MAX_VIEWS) {
            throw new InvalidInputException("views", "views must be a non-empty array of at most " + MAX_VIEWS
                    + " view positions such as [\"PA\", \"AP\"], got " + describe(n));
        }
        List<String> views = new java.util.ArrayList<>();
        for (int i = 0; i < n.size(); i++) {
            JsonNode v = n.get(i);
            if (!v.isTextual() || !VIEW.matcher(v.asText()).matches() || v.asText().isBlank()) {
                throw new InvalidInputException("views[" + i + "]", "views[" + i + "] must be a DICOM ViewPosition "
                        + "(1 to 16 letters, digits, spaces or underscores), got " + describe(v));
            }
            views.add(v.asText());
        }
        return views;
    }

    private static JsonNode present(JsonNode n) {
        return n == null || n.isNull() ? null : n;
    }

    private static double[] ratios(JsonNode node, SplitParameters d) {
        JsonNode n = present(node);
        if (n == null) {
            return new double[] {d.train(), d.val(), d.test()};
        }
        if (!n.isObject()) {
            throw new InvalidInputException("ratios", "ratios must be an object {\"train\":…,\"val\":…,\"test\":…}");
        }
        for (Iterator<String> it = n.fieldNames(); it.hasNext();) {
            String name = it.next();
            if (!List.of("train", "val", "test").contains(name)) {
                throw new InvalidInputException("ratios." + name, "unknown split " + Echo.quote(name) + "; splits are train, val, test");
            }
        }
        double[] r = new double[3];
        // Summed as the decimals the client wrote (0.7 + 0.2 + 0.2 = 1.1, not 1.0999999999999999).
        BigDecimal sum = BigDecimal.ZERO;
        for (SplitName s : SplitName.values()) {
            String field = "ratios." + s.id();
            JsonNode v = present(n.get(s.id()));
            if (v == null) {
                throw new InvalidInputException(field, field + " is required when ratios are given");
            }
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw new InvalidInputException(field, field + " must be a number, got " + describe(v));
            }
            double value = v.asDouble();
            if (value <= 0) {
                throw new InvalidInputException(field, field + " must be greater than 0, got " + v.asText());
            }
            r[s.ordinal()] = value;
            sum = sum.add(v.decimalValue());
        }
        if (sum.subtract(BigDecimal.ONE).abs().doubleValue() > RATIO_TOLERANCE) {
            throw new InvalidInputException("ratios", String.format(Locale.ROOT,
                    "ratios must sum to 1 (within %.0e); train + val + test = %s", RATIO_TOLERANCE,
                    sum.stripTrailingZeros().toPlainString()));
        }
        return r;
    }

    private long seed(JsonNode node) {
        JsonNode n = present(node);
        if (n == null) {
            return defaultSeed;
        }
        if (!n.isIntegralNumber() || !n.canConvertToLong()) {
            throw new InvalidInputException("seed", "seed must be an integer between -2^63 and 2^63-1, got "
                    + describe(n));
        }
        return n.asLong();
    }

    private static boolean bool(JsonNode root, String field, boolean fallback) {
        JsonNode n = present(root.get(field));
        if (n == null) {
            return fallback;
        }
        if (!n.isBoolean()) {
            throw new InvalidInputException(field, field + " must be true or false, got " + describe(n));
        }
        return n.asBoolean();
    }

    private static SplitParameters.Balance balance(JsonNode node, String field, SplitParameters.Balance fallback,
            List<SplitParameters.Balance> allowed) {
        JsonNode n = present(node);
        if (n == null) {
            return fallback;
        }
        SplitParameters.Balance b = n.isTextual() ? SplitParameters.Balance.of(n.asText()) : null;
        if (b == null || !allowed.contains(b)) {
            throw new InvalidInputException(field, "unknown strategy " + describe(n) + " for " + field + "; one of "
                    + String.join(", ", allowed.stream().map(SplitParameters.Balance::id).toList()));
        }
        return b;
    }

    private SplitParameters.Target target(JsonNode node) {
        JsonNode n = present(node);
        if (n == null) {
            return null;
        }
        if (n.isTextual()) {
            Map<String, SplitParameters.Target> named = Map.of("majority", SplitParameters.Target.MAJORITY,
                    "minority", SplitParameters.Target.MINORITY, "mean", SplitParameters.Target.MEAN);
            SplitParameters.Target t = named.get(n.asText());
            if (t != null) {
                return t;
            }
        } else if (n.isIntegralNumber() && n.canConvertToLong()) {
            long count = n.asLong();
            if (count < 1 || count > maxTarget) {
                throw new InvalidInputException("target", "target must be between 1 and " + maxTarget
                        + " images per class, got " + count);
            }
            return SplitParameters.Target.count(count);
        }
        throw new InvalidInputException("target", "unknown target " + describe(n)
                + "; one of majority, minority, mean or a whole number of images per class");
    }

    private static String describe(JsonNode n) {
        String text = n.toString();
        return text.length() > 60 ? text.substring(0, 57) + "..." : text;
    }
}
