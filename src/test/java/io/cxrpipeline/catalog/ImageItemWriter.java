package io.cxrpipeline.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.BatchWriteItemResponse;
import software.amazon.awssdk.services.dynamodb.model.PutRequest;
import software.amazon.awssdk.services.dynamodb.model.WriteRequest;

import io.cxrpipeline.catalog.aws.ImageItems;

/** Writes image items in bulk with the index's own codec ({@link ImageItems}), for tests and benchmarks. */
public final class ImageItemWriter {

    private ImageItemWriter() {
    }

    /** Writes records with BatchWriteItem (25 at a time), retrying unprocessed items. */
    public static void putAll(DynamoDbClient dynamo, String table, List<ImageRecord> records, int shards) {
        for (int from = 0; from < records.size(); from += 25) {
            List<WriteRequest> batch = new ArrayList<>();
            for (ImageRecord r : records.subList(from, Math.min(records.size(), from + 25))) {
                batch.add(WriteRequest.builder()
                        .putRequest(PutRequest.builder().item(ImageItems.toItem(r, shards)).build()).build());
            }
            Map<String, List<WriteRequest>> pending = Map.of(table, batch);
            while (!pending.isEmpty()) {
                Map<String, List<WriteRequest>> request = pending;
                BatchWriteItemResponse response = dynamo.batchWriteItem(b -> b.requestItems(request));
                pending = response.unprocessedItems() == null ? Map.of() : response.unprocessedItems();
            }
        }
    }
}
