package io.cxrpipeline.catalog.aws;

import java.util.Map;

import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

import io.cxrpipeline.catalog.TableKeys;

/**
 * The model registry's item layout: the keys ({@link TableKeys}) and attribute names of model version items
 * (pk {@code MODEL}, sk {@code V#<version>}) and of the promoted pointer (pk {@code MODEL}, sk {@code PROMOTED}).
 * Training writes these items and prediction reads the pointer; both take the names from here so that they
 * cannot disagree.
 */
public final class ModelItems {

    public static final String MODEL_PK = "MODEL";
    public static final String PROMOTED_SK = "PROMOTED";
    public static final String VERSION_SK_PREFIX = "V#";

    public static final String VERSION = "version";
    public static final String RUN_ID = "runId";
    public static final String MODEL_URI = "modelUri";
    public static final String METRICS = "metrics";
    public static final String CREATED_AT = "createdAt";
    public static final String DATASET = "dataset";
    public static final String SPLIT_ID = "splitId";
    public static final String PROMOTED_AT = "promotedAt";
    public static final String METRIC = "metric";
    public static final String METRIC_VALUE = "metricValue";
    public static final String PREVIOUS_VERSION = "previousVersion";

    private ModelItems() {
    }

    /** The sort key of a model version item. */
    public static String versionSk(String version) {
        return VERSION_SK_PREFIX + version;
    }

    /** The primary key of the item with sort key {@code sk} ({@link #PROMOTED_SK} or a {@link #versionSk}). */
    public static Map<String, AttributeValue> key(String sk) {
        return Map.of(TableKeys.PK, AttributeValue.fromS(MODEL_PK), TableKeys.SK, AttributeValue.fromS(sk));
    }
}
