package io.cxrpipeline.training;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.PipelineConfig;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** {@link ModelRegistry} on the pipeline's DynamoDB table: pk {@code MODEL}, sk {@code V#<version>} / {@code PROMOTED}. */
@ApplicationScoped
public class DynamoModelRegistry implements ModelRegistry {

    static final String MODEL_PK = "MODEL";
    static final String PROMOTED_SK = "PROMOTED";

    private final DynamoDbClient dynamo;
    private final String table;
    private final ObjectMapper mapper;

    @Inject
    public DynamoModelRegistry(DynamoDbClient dynamo, PipelineConfig config, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.mapper = mapper;
    }

    static String versionSk(String version) {
        return "V#" + version;
    }

    @Override
    public ModelVersion register(ModelVersion v) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, AttributeValue.fromS(MODEL_PK));
        item.put(TableKeys.SK, AttributeValue.fromS(versionSk(v.version())));
        item.put("version", AttributeValue.fromS(v.version()));
        item.put("runId", AttributeValue.fromS(v.runId()));
        item.put("modelUri", AttributeValue.fromS(v.modelUri()));
        item.put("metrics", AttributeValue.fromS(json(v.metrics())));
        item.put("createdAt", AttributeValue.fromS(v.createdAt()));
        if (v.dataset() != null) {
            item.put("dataset", AttributeValue.fromS(v.dataset()));
        }
        if (v.splitId() != null) {
            item.put("splitId", AttributeValue.fromS(v.splitId()));
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            return v;
        } catch (ConditionalCheckFailedException e) {
            return find(v.version()).orElseThrow(() -> new StoreException("model " + v.version()
                    + " exists but cannot be read", e));
        } catch (SdkException e) {
            throw new StoreException("cannot register model " + v.version() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ModelVersion> find(String version) {
        return get(versionSk(version)).map(item -> new ModelVersion(s(item, "version"), s(item, "runId"),
                s(item, "modelUri"), metrics(s(item, "metrics")), s(item, "createdAt"), s(item, "dataset"),
                s(item, "splitId")));
    }

    @Override
    public Optional<PromotedModel> promoted() {
        return get(PROMOTED_SK).map(item -> new PromotedModel(s(item, "version"), s(item, "modelUri"),
                s(item, "promotedAt"), s(item, "runId"), s(item, "metric"),
                item.containsKey("metricValue") ? Double.valueOf(item.get("metricValue").n()) : null,
                s(item, "previousVersion")));
    }

    @Override
    public boolean promote(PromotedModel model, String expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(TableKeys.PK, AttributeValue.fromS(MODEL_PK));
        item.put(TableKeys.SK, AttributeValue.fromS(PROMOTED_SK));
        item.put("version", AttributeValue.fromS(model.version()));
        item.put("modelUri", AttributeValue.fromS(model.modelUri()));
        item.put("promotedAt", AttributeValue.fromS(model.promotedAt()));
        putIfSet(item, "runId", model.runId());
        putIfSet(item, "metric", model.metric());
        putIfSet(item, "previousVersion", model.previousVersion());
        if (model.metricValue() != null) {
            item.put("metricValue", AttributeValue.fromN(Double.toString(model.metricValue())));
        }
        try {
            if (expectedVersion == null) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("#v = :expected")
                        .expressionAttributeNames(Map.of("#v", "version"))
                        .expressionAttributeValues(Map.of(":expected", AttributeValue.fromS(expectedVersion))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new StoreException("cannot promote model " + model.version() + ": " + e.getMessage(), e);
        }
    }

    private Optional<Map<String, AttributeValue>> get(String sk) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(Map.of(TableKeys.PK, AttributeValue.fromS(MODEL_PK), TableKeys.SK, AttributeValue.fromS(sk))))
                    .item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
        } catch (SdkException e) {
            throw new StoreException("cannot read model " + sk + ": " + e.getMessage(), e);
        }
    }

    private Map<String, Object> metrics(String json) {
        if (json == null) {
            return Map.of();
        }
        try {
            return mapper.readValue(json, new TypeReference<Map<String, Object>>() {
            });
        } catch (JsonProcessingException e) {
            throw new StoreException("a model version holds invalid metrics JSON", e);
        }
    }

    private String json(Object value) {
        try {
            return mapper.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void putIfSet(Map<String, AttributeValue> item, String name, String value) {
        if (value != null) {
            item.put(name, AttributeValue.fromS(value));
        }
    }

    private static String s(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null ? null : v.s();
    }
}
