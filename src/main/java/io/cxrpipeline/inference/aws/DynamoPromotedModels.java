package io.cxrpipeline.inference.aws;

import java.util.Map;
import java.util.Optional;


import io.cxrpipeline.catalog.aws.ModelItems;
import io.cxrpipeline.common.PipelineConfig;
import io.cxrpipeline.common.InfrastructureException;
import io.cxrpipeline.inference.ModelPointer;
import io.cxrpipeline.inference.PromotedModels;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link PromotedModels} on the pipeline's DynamoDB table: one strongly consistent GetItem of the pointer. */
public class DynamoPromotedModels implements PromotedModels {

    private final DynamoDbClient dynamo;
    private final String table;

    public DynamoPromotedModels(DynamoDbClient dynamo, PipelineConfig config) {
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
