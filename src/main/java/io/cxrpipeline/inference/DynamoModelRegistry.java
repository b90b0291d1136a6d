package io.cxrpipeline.inference;

import java.util.Map;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import io.cxrpipeline.catalog.TableKeys;
import io.cxrpipeline.common.PipelineConfig;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/** {@link ModelRegistry} on the pipeline's DynamoDB table: one strongly consistent GetItem of the pointer. */
@ApplicationScoped
public class DynamoModelRegistry implements ModelRegistry {

    static final String MODEL_PK = "MODEL";
    static final String PROMOTED_SK = "PROMOTED";

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
                    .key(Map.of(TableKeys.PK, AttributeValue.fromS(MODEL_PK),
                            TableKeys.SK, AttributeValue.fromS(PROMOTED_SK)))
                    .projectionExpression("#v, modelUri")
                    .expressionAttributeNames(Map.of("#v", "version"))).item();
        } catch (SdkException e) {
            throw new StorageException("cannot read the promoted model from table " + table + ": " + e.getMessage(), e);
        }
        if (item == null || item.isEmpty()) {
            return Optional.empty();
        }
        AttributeValue version = item.get("version");
        AttributeValue uri = item.get("modelUri");
        if (version == null || version.s() == null || uri == null || uri.s() == null) {
            throw new StorageException("the promoted model item lacks version or modelUri: " + item.keySet());
        }
        return Optional.of(new ModelPointer(version.s(), uri.s()));
    }
}
