package io.cxrpipeline.inference;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.cxrpipeline.catalog.ModelItems;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.InfrastructureException;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link ModelRegistry} on the pipeline's DynamoDB table: one strongly consistent GetItem of the pointer. */
@ApplicationScoped
public class DynamoModelRegistry implements ModelRegistry {

    private final DynamoDbClient dynamo;
    private final String table;

    @Inject
    public DynamoModelRegistry(DynamoDbClient dynamo, PipelineConfig config) {
        this.dynamo = dynamo;
        this.table = config.table();
    }

    @Override
    public Optional<ModelPointer> promoted() {
        Map<String, AttributeValue> item;
        try {
            item = dynamo.getItem(b -> b.tableName(table).consistentRead(true)
                    .key(ModelItems.key(ModelItems.PROMOTED_SK))
                    .projectionExpression("#v, #uri")
                    .expressionAttributeNames(Map.of("#v", ModelItems.VERSION, "#uri", ModelItems.MODEL_URI))).item();
        } catch (SdkException e) {
            throw new InfrastructureException("storage", "cannot read the promoted model from table " + table + ": " + e.getMessage(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue version = item.get(ModelItems.VERSION);
        AttributeValue uri = item.get(ModelItems.MODEL_URI);
        if (version == null || version.s() == null || uri == null || uri.s() == null) {
            throw new InfrastructureException("storage", "the promoted model item lacks version or modelUri: " + item.keySet());
        }
        return Optional.of(new ModelPointer(version.s(), uri.s()));
    }
}
