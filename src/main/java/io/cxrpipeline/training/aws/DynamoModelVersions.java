package io.cxrpipeline.training.aws;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;


import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.cxrpipeline.catalog.aws.ModelItems;
import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.training.ModelVersions;
import io.cxrpipeline.training.ModelVersion;
import io.cxrpipeline.training.PromotedModel;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;

/** {@link ModelVersions} on the pipeline's DynamoDB table: pk {@code MODEL}, sk {@code V#<version>} / {@code PROMOTED}. */
public class DynamoModelVersions implements ModelVersions {

    private final DynamoDbClient dynamo;
    private final String table;
    private final ObjectMapper mapper;

    public DynamoModelVersions(DynamoDbClient dynamo, PipelineConfig config, ObjectMapper mapper) {
        this.dynamo = dynamo;
        this.table = config.table();
        this.mapper = mapper;
    }

    @Override
    public ModelVersion register(ModelVersion v) {
        Map<String, AttributeValue> item = new HashMap<>(ModelItems.key(ModelItems.versionSk(v.version())));
        item.put(ModelItems.VERSION, AttributeValue.fromS(v.version()));
        item.put(ModelItems.RUN_ID, AttributeValue.fromS(v.runId()));
        item.put(ModelItems.MODEL_URI, AttributeValue.fromS(v.modelUri()));
        item.put(ModelItems.METRICS, AttributeValue.fromS(json(v.metrics())));
        item.put(ModelItems.CREATED_AT, AttributeValue.fromS(v.createdAt()));
        if (v.dataset() != null) {
            item.put(ModelItems.DATASET, AttributeValue.fromS(v.dataset()));
        }
        if (v.splitId() != null) {
            item.put(ModelItems.SPLIT_ID, AttributeValue.fromS(v.splitId()));
        }
        try {
            dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            return v;
        } catch (ConditionalCheckFailedException e) {
            return find(v.version()).orElseThrow(() -> new InfrastructureException("the training-run store", "model " + v.version()
                    + " exists but cannot be read", e));
        } catch (SdkException e) {
            throw new InfrastructureException("the training-run store", "cannot register model " + v.version() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Optional<ModelVersion> find(String version) {
        return get(ModelItems.versionSk(version)).map(item -> new ModelVersion(s(item, ModelItems.VERSION),
                s(item, ModelItems.RUN_ID), s(item, ModelItems.MODEL_URI), metrics(s(item, ModelItems.METRICS)),
                s(item, ModelItems.CREATED_AT), s(item, ModelItems.DATASET), s(item, ModelItems.SPLIT_ID)));
    }

    @Override
    public Optional<PromotedModel> promoted() {
        return get(ModelItems.PROMOTED_SK).map(item -> new PromotedModel(s(item, ModelItems.VERSION),
                s(item, ModelItems.MODEL_URI), s(item, ModelItems.PROMOTED_AT), s(item, ModelItems.RUN_ID),
                s(item, ModelItems.METRIC), item.containsKey(ModelItems.METRIC_VALUE)
                        ? Double.valueOf(item.get(ModelItems.METRIC_VALUE).n()) : null,
                s(item, ModelItems.PREVIOUS_VERSION)));
    }

    @Override
    public boolean promote(PromotedModel model, String expectedVersion) {
        Map<String, AttributeValue> item = new HashMap<>(ModelItems.key(ModelItems.PROMOTED_SK));
        item.put(ModelItems.VERSION, AttributeValue.fromS(model.version()));
        item.put(ModelItems.MODEL_URI, AttributeValue.fromS(model.modelUri()));
        item.put(ModelItems.PROMOTED_AT, AttributeValue.fromS(model.promotedAt()));
        putIfSet(item, ModelItems.RUN_ID, model.runId());
        putIfSet(item, ModelItems.METRIC, model.metric());
        putIfSet(item, ModelItems.PREVIOUS_VERSION, model.previousVersion());
        if (model.metricValue() != null) {
            item.put(ModelItems.METRIC_VALUE, AttributeValue.fromN(Double.toString(model.metricValue())));
        }
        try {
            if (expectedVersion == null) {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("attribute_not_exists(#pk)")
                        .expressionAttributeNames(Map.of("#pk", TableKeys.PK)));
            } else {
                dynamo.putItem(b -> b.tableName(table).item(item).conditionExpression("#v = :expected")
                        .expressionAttributeNames(Map.of("#v", ModelItems.VERSION))
                        .expressionAttributeValues(Map.of(":expected", AttributeValue.fromS(expectedVersion))));
            }
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw new InfrastructureException("the training-run store", "cannot promote model " + model.version() + ": " + e.getMessage(), e);
        }
    }

    private Optional<Map<String, AttributeValue>> get(String sk) {
        try {
            Map<String, AttributeValue> item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(ModelItems.key(sk)))
                    .item();
            return item == null || item.isEmpty() ? Optional.empty() : Optional.of(item);
        } catch (SdkException e) {
            throw new InfrastructureException("the training-run store", "cannot read model " + sk + ": " + e.getMessage(), e);
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
            throw new InfrastructureException("the training-run store", "a model version holds invalid metrics JSON", e);
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
